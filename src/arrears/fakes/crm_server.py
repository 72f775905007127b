"""A small JSON-over-HTTP server for the CRM fakes: real sockets on 127.0.0.1, one thread per request,
every request recorded so tests can assert what the product sent.

A fake is a `route(request) -> Answer` function over its own state; `failures` lets a test make the next
requests fail exactly as the vendor would (its status, error body and headers).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str  # percent-decoded, without the query
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any  # parsed JSON, or None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any = None  # JSON-encoded when not None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorder:
    """What a fake received, and the failures it is told to answer next (first in, first out)."""

    requests: list[Request] = field(default_factory=list)
    failures: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, answer: Answer, times: int = 1) -> None:
        with self.lock:
            self.failures.extend([answer] * times)

    def writes(self) -> list[Request]:
        """Requests that would change something (searches are POSTs that read, so a fake may exclude them)."""
        return [r for r in self.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")]


Route = Callable[[Request], Answer]


def _handler(route: Route, recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stalls
        wbufsize = 1 << 16

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read the recorder
            del format, args

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            parts = urlsplit(self.path)
            request = Request(
                self.command,
                unquote(parts.path),
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            with recorder.lock:
                recorder.requests.append(request)
                failure = recorder.failures.pop(0) if recorder.failures else None
            self._answer(failure or route(request))

        def _answer(self, answer: Answer) -> None:
            data = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.body is not None:
                self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler


def serve(route: Route, recorder: Recorder, port: int = 0) -> tuple[str, Callable[[], None]]:
    """Start serving on 127.0.0.1 (any free port by default); returns the base URL and a stop function."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(route, recorder))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="crm-fake", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_address[1]}", stop
