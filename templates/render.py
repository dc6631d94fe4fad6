"""Render a postmortem page from a template: shipped templates, optionally shadowed or
extended by a team's own folder (``app.yaml: templates.team_folder``).

Templates run in Jinja's sandbox with autoescaping and StrictUndefined: a team template
can neither reach Python internals nor turn incident text into markup, and a typo in a
variable name is an error rather than an empty cell. Incident text is rendered once, as
data: Jinja syntax inside it stays literal. Every page is checked as storage format before
it is returned.

Only ``*.j2`` files inside a template folder are templates: ``{% include %}`` of any other
file (``render.py``, a team's notes) is refused, and so is a symlink whose target, resolved,
lies outside the folder it is in. A rendered page is bounded (``MAX_PAGE_BYTES``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
)
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from postmortem.storage_format import StorageFormatError, check_storage

SHIPPED_DIR = Path(__file__).resolve().parent
SUFFIX = ".xml.j2"
# A team template named like a shipped one shadows it; "shipped/<name>" always reaches the
# shipped one, so a team's default.xml.j2 can extend "shipped/default.xml.j2".
SHIPPED_PREFIX = "shipped"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
TEMPLATE_FILE_SUFFIX = ".j2"  # what {% extends/include/import %} may load
# A page body larger than this is a runaway template (a loop over a loop), not a postmortem.
MAX_PAGE_BYTES = 2 * 1024 * 1024


class TemplateRefused(TemplateError):
    """A template folder holds something that is not a template of that folder."""


class PageTooLarge(TemplateRuntimeError):
    """The rendered page is over the size limit."""


class FolderLoader(BaseLoader):
    """The ``*.j2`` files of one folder. A symlink is followed only when its target, resolved,
    is inside the folder; a name of another kind of file is no template at all."""

    def __init__(self, folder: Path):
        self.folder = Path(os.path.realpath(folder))

    def get_source(self, environment, template: str):
        pieces = split_template_path(template)  # refuses ".." and absolute names
        if not template.endswith(TEMPLATE_FILE_SUFFIX):
            raise TemplateRefused(f"{template!r} is not a template: only {TEMPLATE_FILE_SUFFIX} files "
                                  "can be extended, included or imported")
        path = self.folder.joinpath(*pieces)
        if not os.path.lexists(path):
            raise TemplateNotFound(template)
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(self.folder):
            raise TemplateRefused(f"{path} leads outside its template folder {self.folder} "
                                  f"(to {real}); a template must be a file inside the folder")
        if not real.is_file():
            raise TemplateNotFound(template)
        source = real.read_text(encoding="utf-8")
        mtime = real.stat().st_mtime
        return source, str(path), lambda: real.exists() and real.stat().st_mtime == mtime


class UnknownTemplate(TemplateNotFound):
    """No ``<name>.xml.j2`` in any of the folders searched."""

    def __init__(self, name: str, folders: list[Path], reason: str = ""):
        self.folders = folders
        where = ", ".join(str(f) for f in folders)
        detail = reason or f"no {name}{SUFFIX} in {where}"
        super().__init__(name, f"unknown template {name!r}: {detail}")


class PageRenderer:
    def __init__(self, team_folder: Path | None = None, *, max_page_bytes: int = MAX_PAGE_BYTES):
        self.team_folder = Path(team_folder) if team_folder is not None else None
        self.folders = [f for f in (self.team_folder, SHIPPED_DIR) if f is not None]
        self.max_page_bytes = max_page_bytes
        shipped = FolderLoader(SHIPPED_DIR)
        loaders = [FolderLoader(self.team_folder)] if self.team_folder is not None else []
        self.env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader([*loaders, shipped, PrefixLoader({SHIPPED_PREFIX: shipped})]),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,
        )

    def template_file(self, template_name: str) -> str:
        """The file ``template_name`` is loaded from (a team file shadows a shipped one)."""
        return self._load(template_name).filename or f"{template_name}{SUFFIX}"

    def _load(self, template_name: str):
        if not _NAME.fullmatch(template_name) or ".." in template_name:
            raise UnknownTemplate(template_name, self.folders,
                                  "a template name is letters, digits, '_', '-' and '.' only")
        try:
            return self.env.get_template(f"{template_name}{SUFFIX}")
        except TemplateNotFound as exc:
            if exc.name != f"{template_name}{SUFFIX}":
                raise  # the template exists; something it extends or imports does not
            raise UnknownTemplate(template_name, self.folders) from None

    def render(self, template_name: str, context: dict) -> str:
        """The page for ``context`` from ``<template_name>.xml.j2``.

        Raises UnknownTemplate, a jinja2.TemplateError for a broken template (TemplateRefused
        for a file that is not a template of its folder, PageTooLarge past ``max_page_bytes``),
        or StorageFormatError (naming the template) when the page is not valid storage format.
        """
        template = self._load(template_name)
        try:
            page = self._bounded(template_name, template.generate(context)).strip() + "\n"
        except RecursionError:
            raise TemplateRuntimeError(
                f"{template_name}{SUFFIX} extends itself (or includes itself); a team template named like a "
                f'shipped one extends the shipped one as "{SHIPPED_PREFIX}/{template_name}{SUFFIX}"') from None
        try:
            check_storage(page)
        except StorageFormatError as exc:
            raise StorageFormatError(exc.reason, exc.line, exc.column,
                                     source=f"{template_name}{SUFFIX} (rendered page)",
                                     excerpt=exc.excerpt) from None
        return page

    def _bounded(self, template_name: str, chunks) -> str:
        parts, size = [], 0
        for chunk in chunks:
            size += len(chunk.encode("utf-8", "surrogatepass"))
            if size > self.max_page_bytes:
                raise PageTooLarge(f"{template_name}{SUFFIX} renders a page over the limit of "
                                   f"{self.max_page_bytes} bytes ({self.max_page_bytes // 1024} KiB); "
                                   "a loop in the template probably runs away")
            parts.append(chunk)
        return "".join(parts)
