"""A stand-in for an OpenAI-compatible chat-completions server on 127.0.0.1: real sockets, the response
shape clients read back, a scripted answer, status and delay, and every request recorded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self) -> None:
        self.reply: Any = {}
        self.status = 200
        self.delay = 0.0
        self.raw: bytes | None = None
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []


@contextmanager
def fake_openai() -> Iterator[tuple[FakeOpenAI, str]]:
    """The fake served on a free port; yields it and its base URL (``.../v1``)."""
    fake = FakeOpenAI()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append((dict(self.headers), body))
            time.sleep(fake.delay)
            if fake.raw is not None:
                payload = fake.raw
            else:
                content = fake.reply if isinstance(fake.reply, str) else json.dumps(fake.reply)
                payload = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": content}}]}
                ).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()
