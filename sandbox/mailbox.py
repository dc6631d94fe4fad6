"""The demo's local SMTP server: every message it receives is written to a folder as an
``.eml`` file (``0001-<subject>.eml``), which any mail program opens. aiosmtpd, on 127.0.0.1."""

from __future__ import annotations

import itertools
import re
import socket
import threading
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class FolderHandler:
    """aiosmtpd's DATA hook: one file per message, the envelope's recipients in a header."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = message_from_bytes(raw, policy=policy.default)
        subject = re.sub(r"[^A-Za-z0-9]+", "-", str(msg.get("Subject", "")))[:60].strip("-") or "message"
        with self._lock:
            path = self.folder / f"{next(self._numbers):04d}-{subject}.eml"
        header = f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        tmp = path.with_suffix(".part")
        tmp.write_bytes(header + raw)
        tmp.replace(path)  # a reader never sees half a message
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Mailbox:
    """A running SMTP server keeping messages in ``folder`` (emptied of old ``.eml`` files first)."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.folder = folder
        self.host = host
        self.port = port or _free_port(host)
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> Mailbox:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in (*self.folder.glob("*.eml"), *self.folder.glob("*.part")):
            old.unlink()
        self._controller = Controller(FolderHandler(self.folder), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def messages(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml"))

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
