"""Slate's dialect rules, one per module, each registered by its `plugin(md)`."""
