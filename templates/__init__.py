"""Postmortem page templates (``*.xml.j2``, Confluence storage format) and their renderer."""

from templates.render import PageRenderer, UnknownTemplate

__all__ = ["PageRenderer", "UnknownTemplate"]
