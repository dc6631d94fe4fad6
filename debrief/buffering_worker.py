"""A gunicorn worker that reads each request whole before a thread takes it.

gunicorn's gthread worker hands a connection to a thread as soon as one byte arrives; the
thread then blocks reading the rest, with no deadline. Eight clients that send their headers
and one body byte hold every thread of a default worker, and /healthz stops answering.

``BufferingWorker`` reads in the worker's event loop instead (non-blocking, every connection
at once): a request goes to a thread only when its headers and body are in memory, or once
the body is past the intake limit (the app answers 413). A request not complete within
``read_deadline`` seconds is answered 408 and closed. Sockets the threads use get a timeout,
so a stalled read or write in a thread ends too.
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import socket
import time
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

HEADER_LIMIT = 64 * 1024  # gunicorn refuses bigger heads itself (limit_request_field_size, ...)
_RECV = 256 * 1024
_TIMEOUT_BODY = b'{"error": "request_timeout", "detail": "the request did not arrive in time"}'
_TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY))
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*([0-9]{1,19})[ \t]*\r\n", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.IGNORECASE)


def request_complete(buffer: bytes | bytearray, body_limit: int) -> bool:
    """Whether ``buffer`` holds a whole request head and enough of its body for the app: all
    of it, or more than ``body_limit`` bytes (then the app answers 413 without the rest).
    Malformed requests count as complete: gunicorn's parser answers them."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return len(buffer) > HEADER_LIMIT
    head = bytes(buffer[:end + 2])
    body = len(buffer) - end - 4
    if _CHUNKED.search(head):
        return body > body_limit or _chunked_done(buffer, end + 4)
    match = _CONTENT_LENGTH.search(head)
    length = int(match.group(1)) if match else 0
    return length > body_limit or body >= length


def _chunked_done(buffer: bytes | bytearray, pos: int) -> bool:
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return False
        size_text = bytes(buffer[pos:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return True  # not chunked encoding: let the parser say so
        if size == 0:  # last chunk: trailers end with an empty line
            return buffer.find(b"\r\n", line_end + 2) == line_end + 2 or buffer.find(b"\r\n\r\n", line_end) >= 0
        pos = line_end + 2 + size + 2
        if pos > len(buffer):
            return False


class _ReplaySocket:
    """The client socket, giving back first what the event loop already read. Blocking mode
    means "with a timeout" here, so a thread never waits on a client forever."""

    def __init__(self, sock: socket.socket, timeout: float):
        self._sock = sock
        self._timeout = timeout
        self.buffer = bytearray()

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self.buffer:
            data = bytes(self.buffer[:size])
            del self.buffer[:size]
            return data
        return self._sock.recv(size, flags)

    def setblocking(self, flag: bool) -> None:
        self._sock.settimeout(self._timeout if flag else 0.0)

    def fileno(self) -> int:
        return self._sock.fileno()

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class BufferingWorker(ThreadWorker):
    """gthread with the request read in the event loop (see the module docstring)."""

    read_deadline = 10.0  # seconds for a whole request to arrive
    body_limit = 1024 * 1024  # the intake limit: beyond it the app answers 413

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._reading: dict = {}  # conn -> deadline

    @classmethod
    def configured(cls, *, body_limit: int, read_deadline: float) -> type[BufferingWorker]:
        return type("BufferingWorker", (cls,), {"body_limit": body_limit, "read_deadline": read_deadline})

    def enqueue_req(self, conn):
        if self.cfg.is_ssl:  # TLS bytes cannot be inspected here; gthread as it is
            return super().enqueue_req(conn)
        if not isinstance(conn.sock, _ReplaySocket):
            conn.sock = _ReplaySocket(conn.sock, self.read_deadline)
        if conn.initialized and conn.parser is not None and conn.parser.unreader.buf.getvalue():
            return super().enqueue_req(conn)  # a pipelined request the parser already holds
        conn.sock.setblocking(False)
        if request_complete(conn.sock.buffer, self.body_limit):
            return self._hand_over(conn)
        self._reading[conn] = time.monotonic() + self.read_deadline
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn, _fileobj):
        closed = False
        try:
            while True:
                data = conn.sock._sock.recv(_RECV)
                if not data:
                    closed = True
                    break
                conn.sock.buffer += data
                if len(conn.sock.buffer) > self.body_limit + HEADER_LIMIT:
                    break
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            if exc.errno not in (errno.ECONNRESET, errno.EPIPE, errno.ENOTCONN):
                self.log.debug("reading a request failed: %s", exc)
            closed = True
        if closed and not conn.sock.buffer:
            self._drop(conn)
        elif closed or request_complete(conn.sock.buffer, self.body_limit):
            self._stop_reading(conn)
            self._hand_over(conn)

    def _stop_reading(self, conn):
        self._reading.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)

    def _hand_over(self, conn):
        conn.data_ready = True  # no second wait for data in the thread
        super().enqueue_req(conn)

    def _drop(self, conn, answer: bytes | None = None):
        self._stop_reading(conn)
        if answer:
            with contextlib.suppress(OSError):
                conn.sock._sock.send(answer)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        super().murder_pending()
        now = time.monotonic()
        for conn, deadline in list(self._reading.items()):
            if deadline <= now:
                # A kept-alive connection that never started another request just closes.
                self._drop(conn, _TIMEOUT_RESPONSE if conn.sock.buffer.strip() else None)
