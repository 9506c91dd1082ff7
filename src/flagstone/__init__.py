"""flagstone: build Slate-format API documentation into a static three-pane site."""

__version__ = "0.1.0"
