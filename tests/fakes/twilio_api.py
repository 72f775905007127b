"""A stand-in for api.twilio.com on 127.0.0.1: real sockets, the REST shapes the SDK reads back.

It answers ``POST /2010-04-01/Accounts/{sid}/Calls.json`` and ``.../Messages.json`` with 201 and a
resource carrying a fresh SID, records every request (path, form, basic-auth user) for assertions, and
answers 400 with Twilio's error document for numbers listed in ``reject``.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Recorded:
    path: str
    form: dict[str, list[str]]
    account: str

    def one(self, name: str) -> str:
        return self.form[name][0]


@dataclass
class FakeTwilio:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    reject: set[str] = field(default_factory=set)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    latency: float = 0.0  # seconds each create takes: a provider slower than a lease


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            del format, args

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            auth = self.headers.get("Authorization", "")
            account = base64.b64decode(auth.removeprefix("Basic ")).decode().split(":")[0] if auth else ""
            fake.requests.append(Recorded(self.path, form, account))
            time.sleep(fake.latency)
            to = form.get("To", [""])[0]
            if to in fake.reject:
                self._answer(400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
                return
            n = next(fake.counter)
            if self.path.endswith("/Calls.json"):
                sid = f"CA{n:032x}"
                self._answer(201, {"sid": sid, "status": "queued", "to": to, "from": form["From"][0]})
            elif self.path.endswith("/Messages.json"):
                sid = f"SM{n:032x}"
                body = {"sid": sid, "status": "queued", "to": to, "body": form.get("Body", [""])[0]}
                self._answer(201, body)
            else:
                self._answer(404, {"code": 20404, "message": "not found", "status": 404})

        def _answer(self, status: int, body: Mapping[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
