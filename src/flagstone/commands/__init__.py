"""The writer's workflow commands: `init` starts a project, `check` finds broken links, `deploy` publishes."""
