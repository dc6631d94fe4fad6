"""How Debrief marks the parts of a page it owns, so it finds them again after people edit.

A mark is an ``anchor`` macro (invisible on the page, kept by both editors) whose name starts
with ``debrief-``:

- ``debrief-review``: Debrief's review panel. The region is the innermost macro with a
  rich-text body (``info`` in the shipped template, but any panel-like macro works) that
  holds the anchor; its content is Debrief's to rewrite. People may move the panel, retitle
  it, change its macro or type next to the anchor: it is still found. Deleting the anchor
  un-marks it (reported as ``missing_region``); two marked panels are reported as
  ``duplicate_region`` and the first is used.
- ``debrief-gate-<gate>`` (e.g. ``debrief-gate-root_cause``): inside a review-checklist task's
  body, the gate that task stands for. Task ids and positions are not used: the editors
  renumber ids, and people reorder tasks. Without the anchor, a task whose text is a gate's
  text in English or Korean is recognised by that text.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

PREFIX = "debrief-"
REVIEW_REGION = "review"
GATE_PREFIX = f"{PREFIX}gate-"


def region_anchor(name: str) -> str:
    """``review`` -> ``debrief-review``."""
    return f"{PREFIX}{name}"


def gate_anchor(gate: str) -> str:
    """``root_cause`` -> ``debrief-gate-root_cause``."""
    return f"{GATE_PREFIX}{gate}"


def anchor_xml(name: str) -> str:
    """The anchor macro as the template writes it."""
    return ('<ac:structured-macro ac:name="anchor" ac:schema-version="1">'
            f'<ac:parameter ac:name="">{escape(name)}</ac:parameter></ac:structured-macro>')


def region_of(anchor: str) -> str | None:
    """The region an anchor name marks (``debrief-review`` -> ``review``), or None."""
    if anchor.startswith(PREFIX) and not anchor.startswith(GATE_PREFIX):
        return anchor[len(PREFIX):] or None
    return None


def gate_of(anchor: str) -> str | None:
    """The gate an anchor name marks (``debrief-gate-root_cause`` -> ``root_cause``), or None."""
    return anchor[len(GATE_PREFIX):] or None if anchor.startswith(GATE_PREFIX) else None
