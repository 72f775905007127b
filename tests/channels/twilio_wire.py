"""Twilio's Messages API on 127.0.0.1, with latency and scripted trouble, counting what is in flight.

It speaks what the official SDK reads: `POST /2010-04-01/Accounts/{sid}/Messages.json` answered 201 with a
message resource, and Twilio's error document (`code`, `message`, `more_info`, `status`) for 429 (code
20429) and 500 (code 20500). `stall` holds a request past the client's timeout and never accepts it; `down`
stops listening altogether (connection refused). Only accepted messages are recorded in `accepted`, so a
test can prove nothing left twice. `in_flight` / `max_in_flight` count requests being served, overall and
per `To`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import parse_qs

Trouble = Literal["ok", "429", "500", "stall"]
_ERRORS = {
    "429": (429, 20429, "Too Many Requests"),
    "500": (500, 20500, "Internal Server Error"),
}


@dataclass
class TwilioWire:
    port: int = 0
    latency: float = 0.0
    trouble: Trouble = "ok"
    stall_seconds: float = 2.0
    reject: set[str] = field(default_factory=set)  # numbers answered 400, code 21211
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (To, Body) of every accepted message
    answered: Counter[str] = field(default_factory=Counter)  # HTTP status -> count
    max_in_flight: int = 0
    max_in_flight_per_to: int = 0
    _in_flight: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def enter(self, to: str) -> None:
        with self._lock:
            self._in_flight[to] += 1
            self.max_in_flight = max(self.max_in_flight, sum(self._in_flight.values()))
            self.max_in_flight_per_to = max(self.max_in_flight_per_to, self._in_flight[to])

    def leave(self, to: str) -> None:
        with self._lock:
            self._in_flight[to] -= 1

    def up(self) -> None:
        server = _Server(("127.0.0.1", self.port), _handler(self))
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Stop listening: every request now meets a refused connection."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # dozens of senders connect at once; the default backlog of 5 would drop some


def _handler(wire: TwilioWire) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            del format, args

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            to, body = form.get("To", [""])[0], form.get("Body", [""])[0]
            wire.enter(to)
            try:
                time.sleep(wire.latency)
                status, document = self._serve(to, body, form)
            finally:
                wire.leave(to)  # before the answer: the client may send its next request once it has it
            self._answer(status, document)

        def _serve(self, to: str, body: str, form: dict[str, list[str]]) -> tuple[int, Mapping[str, object]]:
            trouble = wire.trouble
            if trouble == "stall":
                time.sleep(wire.stall_seconds)  # the client gave up long ago; nothing is accepted
                return 503, {"code": 20503, "message": "Service Unavailable", "status": 503}
            if to in wire.reject:
                more = "https://www.twilio.com/docs/errors/21211"
                return 400, {
                    "code": 21211,
                    "message": "Invalid 'To' Phone Number",
                    "more_info": more,
                    "status": 400,
                }
            if trouble in _ERRORS:
                status, code, text = _ERRORS[trouble]
                more = f"https://www.twilio.com/docs/errors/{code}"
                return status, {"code": code, "message": text, "more_info": more, "status": status}
            with wire._lock:
                sid = f"SM{next(wire._counter):032x}"
                wire.accepted.append((to, body))
            return 201, {"sid": sid, "status": "queued", "to": to, "from": form["From"][0], "body": body}

        def _answer(self, status: int, document: Mapping[str, object]) -> None:
            wire.answered[str(status)] += 1
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):  # a client that timed out has left
                self.wfile.write(data)

    return Handler


@contextmanager
def twilio_wire(latency: float = 0.0) -> Iterator[TwilioWire]:
    wire = TwilioWire(latency=latency)
    wire.up()
    try:
        yield wire
    finally:
        wire.down()


if __name__ == "__main__":  # bench/dispatch_bench.py runs it in its own process: port, latency
    import sys

    served = TwilioWire(port=int(sys.argv[1]), latency=float(sys.argv[2]))
    served.up()
    threading.Event().wait()
