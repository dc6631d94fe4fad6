"""Debrief's shell: the `debrief` command line, serving, operations and logging.

The installed version is ``postmortem.page_context.installed_version()``."""
