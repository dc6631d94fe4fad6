"""One line per event; JSON lines with DEBRIEF_LOG_FORMAT=json.

Context such as the incident key and delivery id travels in ``extra={...}``. Values come from
deliveries, so text lines escape control characters (a newline in an issue key must not
start a forged line); JSON lines are escaped by JSON itself.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from config.environment import redact_text

_CONTEXT_KEYS = ("incident", "delivery", "job", "decision", "page", "event", "status")
_TEXT_IDS = ("incident", "page", "delivery", "job")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def _escape_char(match: re.Match) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or f"\\u{ord(char):04x}"


def escape(value: object) -> str:
    """``value`` as text on one line: control characters (and the backslash) escaped."""
    return _CONTROL.sub(_escape_char, str(value))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact_text(record.getMessage()),
        }
        for key in _CONTEXT_KEYS:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = (f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: "
                f"{escape(redact_text(record.getMessage()))}")
        ids = " ".join(f"{k}={escape(getattr(record, k))}" for k in _TEXT_IDS if getattr(record, k, None))
        if ids:
            line += f" [{ids}]"
        if record.exc_info:
            line += "\n" + redact_text(self.formatException(record.exc_info))
        return line


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger("debrief")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
