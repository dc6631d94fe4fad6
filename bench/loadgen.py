"""The C load generator: compiled into .bench/ with the machine's cc, fed pre-built requests."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).with_name("loadgen.c")


class LoadgenUnavailable(RuntimeError):
    pass


def build(out_dir: Path) -> Path:
    """Compile loadgen.c (again only when the source is newer than the binary)."""
    binary = out_dir / "loadgen"
    if binary.exists() and binary.stat().st_mtime >= SOURCE.stat().st_mtime:
        return binary
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        raise LoadgenUnavailable("no C compiler (cc, gcc or clang) on PATH to build bench/loadgen.c")
    out_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([cc, "-O2", "-pthread", "-o", str(binary), str(SOURCE)], capture_output=True, text=True)
    if result.returncode != 0:
        raise LoadgenUnavailable(f"{cc} could not build bench/loadgen.c:\n{result.stderr}")
    return binary


def http_request(path: str, body: bytes, headers: dict[str, str], port: int) -> bytes:
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def write_requests(path: Path, requests: list[bytes]) -> Path:
    with path.open("wb") as f:
        f.write(f"{len(requests)}\n".encode())
        for raw in requests:
            f.write(f"{len(raw)}\n".encode())
            f.write(raw)
    return path


@dataclass
class LoadResult:
    requests: int
    elapsed_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    mark_sent_unix: float
    statuses: dict[str, int] = field(default_factory=dict)

    def count(self, predicate) -> int:
        return sum(n for status, n in self.statuses.items() if predicate(int(status)))


def run(binary: Path, port: int, request_file: Path, clients: int, mark: int | None = None,
        timeout: float = 300) -> LoadResult:
    cmd = [str(binary), "127.0.0.1", str(port), str(request_file), str(clients)]
    if mark is not None:
        cmd.append(str(mark))
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"loadgen failed ({result.returncode}): {result.stderr.strip()}")
    return LoadResult(**json.loads(result.stdout))
