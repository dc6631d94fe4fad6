"""What Debrief remembers about the action-item table between runs, in the page state
(``PageState.extra["action_items"]``).

- ``records``: one per ticket the table lists (or listed): the row it belongs to, how the
  key came (``created`` by Debrief, also when found again by its row label after a lost
  answer; ``typed`` by a person into the ticket cell), whether the incident link and the page link are made, the value Debrief last
  wrote or saw in sync for each cell it keeps (``ticket`` key, ``status`` category, ``owner``
  identity, ``due`` date) and the Jira values it last brought back (``assignee``, ``due``).
- the last run's report, which the review stage and the review panel read: rows that could
  not become tickets, tickets the page no longer lists, cells left to people, rows waiting
  for approval, and priority flags for the action-plan gate.

``from_dict`` never raises: what it cannot read is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STATE_KEY = "action_items"


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _strmap(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): _str(v) for k, v in value.items() if v is not None}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class RowRecord:
    key: str
    row_id: str
    origin: str = "created"  # created | typed
    action: str = ""
    linked: bool = False
    cells: Mapping[str, str] = field(default_factory=dict)
    jira: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"key": self.key, "row": self.row_id, "origin": self.origin, "action": self.action,
                "linked": self.linked, "cells": dict(self.cells), "jira": dict(self.jira)}

    @classmethod
    def from_dict(cls, data: Any) -> RowRecord | None:
        if not isinstance(data, Mapping) or not _str(data.get("key")):
            return None
        return cls(key=_str(data["key"]), row_id=_str(data.get("row")), origin=_str(data.get("origin")) or "created",
                   action=_str(data.get("action")), linked=bool(data.get("linked")),
                   cells=_strmap(data.get("cells")), jira=_strmap(data.get("jira")))


@dataclass(frozen=True)
class RowProblem:
    """A row that did not become a ticket; ``reasons`` are (code, value) pairs whose texts are
    ``items.problem.<code>`` in the catalogue."""

    row: int  # 1-based number of the row in the table, below the header
    action: str
    reasons: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict:
        return {"row": self.row, "action": self.action, "reasons": [list(r) for r in self.reasons]}

    @classmethod
    def from_dict(cls, data: Any) -> RowProblem | None:
        if not isinstance(data, Mapping):
            return None
        reasons = tuple((_str(r[0]), _str(r[1])) for r in data.get("reasons") or ()
                        if isinstance(r, list | tuple) and len(r) == 2)
        return cls(_int(data.get("row")), _str(data.get("action")), reasons)


@dataclass(frozen=True)
class UnlistedTicket:
    key: str
    action: str

    def to_dict(self) -> dict:
        return {"key": self.key, "action": self.action}

    @classmethod
    def from_dict(cls, data: Any) -> UnlistedTicket | None:
        if not isinstance(data, Mapping) or not _str(data.get("key")):
            return None
        return cls(_str(data["key"]), _str(data.get("action")))


@dataclass(frozen=True)
class CellNote:
    """A cell a person changed since Debrief last wrote or synced it: left as it is.
    ``value`` is what Jira says (the text Debrief would have written)."""

    row: int
    action: str
    column: str  # column key: ticket, status, owner, due
    value: str
    key: str = ""

    def to_dict(self) -> dict:
        return {"row": self.row, "action": self.action, "column": self.column, "value": self.value,
                "key": self.key}

    @classmethod
    def from_dict(cls, data: Any) -> CellNote | None:
        if not isinstance(data, Mapping):
            return None
        return cls(_int(data.get("row")), _str(data.get("action")), _str(data.get("column")),
                   _str(data.get("value")), _str(data.get("key")))


@dataclass(frozen=True)
class WaitingRow:
    """A complete row whose ticket waits for the postmortem's approval (``create: on_approval``)."""

    row: int
    action: str

    def to_dict(self) -> dict:
        return {"row": self.row, "action": self.action}

    @classmethod
    def from_dict(cls, data: Any) -> WaitingRow | None:
        return cls(_int(data.get("row")), _str(data.get("action"))) if isinstance(data, Mapping) else None


@dataclass(frozen=True)
class PriorityFlag:
    """A priority a person typed that is lower than the matrix gives: the person's priority is
    used, and the action-plan review gate is told why it deserves a look."""

    row: int
    action: str
    item_type: str
    severity: str
    typed: str
    matrix: str
    key: str = ""
    gate: str = "action_plan"

    def to_dict(self) -> dict:
        return {"row": self.row, "action": self.action, "type": self.item_type, "severity": self.severity,
                "typed": self.typed, "matrix": self.matrix, "key": self.key, "gate": self.gate}

    @classmethod
    def from_dict(cls, data: Any) -> PriorityFlag | None:
        if not isinstance(data, Mapping):
            return None
        return cls(_int(data.get("row")), _str(data.get("action")), _str(data.get("type")),
                   _str(data.get("severity")), _str(data.get("typed")), _str(data.get("matrix")),
                   _str(data.get("key")), _str(data.get("gate")) or "action_plan")


@dataclass(frozen=True)
class Refusal:
    """A row Jira refused to make a ticket of: not sent again while the row reads the same
    (``fingerprint``: what the ticket would be) on the same day (``on``, ISO date), so a page
    event or a sweep does not ask Jira the same question again and again."""

    row_id: str
    fingerprint: str
    why: str
    on: str

    def to_dict(self) -> dict:
        return {"row": self.row_id, "fingerprint": self.fingerprint, "why": self.why, "on": self.on}

    @classmethod
    def from_dict(cls, data: Any) -> Refusal | None:
        if not isinstance(data, Mapping) or not _str(data.get("row")):
            return None
        return cls(_str(data["row"]), _str(data.get("fingerprint")), _str(data.get("why")), _str(data.get("on")))


def _many(cls, values: Any) -> tuple:
    if not isinstance(values, list | tuple):
        return ()
    return tuple(item for item in (cls.from_dict(v) for v in values) if item is not None)


@dataclass(frozen=True)
class ItemsState:
    records: tuple[RowRecord, ...] = ()
    problems: tuple[RowProblem, ...] = ()
    unlisted: tuple[UnlistedTicket, ...] = ()
    left: tuple[CellNote, ...] = ()
    waiting: tuple[WaitingRow, ...] = ()
    flags: tuple[PriorityFlag, ...] = ()
    refused: tuple[Refusal, ...] = ()

    def record(self, key: str) -> RowRecord | None:
        return next((r for r in self.records if r.key == key), None)

    def to_dict(self) -> dict:
        return {"records": [r.to_dict() for r in self.records],
                "problems": [p.to_dict() for p in self.problems],
                "unlisted": [u.to_dict() for u in self.unlisted],
                "left": [n.to_dict() for n in self.left],
                "waiting": [w.to_dict() for w in self.waiting],
                "flags": [f.to_dict() for f in self.flags],
                **({"refused": [r.to_dict() for r in self.refused]} if self.refused else {})}

    @classmethod
    def from_dict(cls, data: Any) -> ItemsState:
        if not isinstance(data, Mapping):
            return cls()
        return cls(records=_many(RowRecord, data.get("records")), problems=_many(RowProblem, data.get("problems")),
                   unlisted=_many(UnlistedTicket, data.get("unlisted")), left=_many(CellNote, data.get("left")),
                   waiting=_many(WaitingRow, data.get("waiting")), flags=_many(PriorityFlag, data.get("flags")),
                   refused=_many(Refusal, data.get("refused")))

    @classmethod
    def of(cls, extra: Mapping[str, Any]) -> ItemsState:
        """The action-item part of a page state's ``extra``."""
        return cls.from_dict(extra.get(STATE_KEY))
