"""A tiny threaded HTTP receiver on 127.0.0.1 shared by the write-back fakes (webhooks, Slack): real
sockets, one callable deciding each answer, queued failures (`fail_next`) answered before normal service."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str = ""
    retry_after: str | None = None
    content_type: str = "text/plain"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


Respond = Callable[[Request], Answer]


@dataclass
class Failures:
    """Answers to give instead of the normal one, in order (one request each)."""

    queued: deque[Answer] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer, times: int = 1) -> None:
        with self.lock:
            self.queued.extend([answer] * times)

    def take(self) -> Answer | None:
        with self.lock:
            return self.queued.popleft() if self.queued else None


def serve(respond: Respond, failures: Failures) -> tuple[str, Callable[[], None]]:
    """Start serving; returns the base URL and a stop function."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints behind a load balancer do

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = Request(
                self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
            )
            answer = failures.take() or respond(request)
            payload = answer.body.encode("utf-8")
            self.send_response(answer.status)
            self.send_header("content-type", answer.content_type)
            self.send_header("content-length", str(len(payload)))
            if answer.retry_after is not None:
                self.send_header("retry-after", answer.retry_after)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="fake-http-receiver")
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_address[1]}", stop
