"""Reading a project: page discovery, front matter, includes and ERB partials."""
