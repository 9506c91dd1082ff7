"""Markdown to HTML: the Slate dialect on markdown-it-py, heading ids and highlighted code."""
