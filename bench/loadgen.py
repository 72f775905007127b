"""Open-loop HTTP load on loopback: requests leave on a fixed schedule, whatever the server is doing.

A closed loop (send, wait for the answer, send the next) slows down with the server and hides its queueing.
Here request i is due at start + i / rate and its latency runs from that instant, so a stalled server shows
in the figures (no coordinated omission). Requests are prebuilt bytes written to plain asyncio streams over
keep-alive connections (a new connection whenever none is idle), so the generator itself costs tens of
microseconds per request and leaves the cores to the server.

`closed_loop` is the other kind, for throughput at a fixed concurrency (bench/load_bench.py): a few clients,
each with one keep-alive connection, sending the next request when the last is answered.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True, slots=True)
class Result:
    index: int
    latency: float  # seconds from the scheduled instant to the end of the response
    late: float  # seconds between the scheduled instant and the request leaving (the generator's own lag)
    status: int  # 0: no answer
    error: str | None = None


def http_request(method: str, path: str, headers: Mapping[str, str], body: bytes = b"") -> bytes:
    """One HTTP/1.1 request as bytes, keep-alive, with its Content-Length."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Client:
    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.idle: list[_Conn] = []
        self.opened = 0

    async def exchange(self, raw: bytes) -> int:
        """Send one request and read the whole answer; a reused connection the server has meanwhile
        closed (idle timeout) is retried once on a new one, as any HTTP client does."""
        if self.idle:
            conn = self.idle.pop()
            try:
                return await asyncio.wait_for(self._on(conn, raw), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
        return await asyncio.wait_for(self._on(await self._open(), raw), self.timeout)

    async def _open(self) -> _Conn:
        self.opened += 1
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def _on(self, conn: _Conn, raw: bytes) -> int:
        reader, writer = conn
        try:
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            if length:
                await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        if close:
            writer.close()
        else:
            self.idle.append(conn)
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _one(client: _Client, index: int, due: float, raw: bytes) -> Result:
    sent = time.perf_counter()
    try:
        status = await client.exchange(raw)
    except Exception as exc:  # a refused or broken connection is a result, not a crash of the bench
        return Result(index, time.perf_counter() - due, sent - due, 0, type(exc).__name__)
    return Result(index, time.perf_counter() - due, sent - due, status)


async def _drive(
    port: int, requests: Sequence[bytes], rate: float, timeout: float
) -> tuple[list[Result], int]:
    client = _Client(port, timeout)
    start = time.perf_counter() + 0.05
    tasks = []
    for index, raw in enumerate(requests):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(client, index, due, raw)))
    results = list(await asyncio.gather(*tasks))
    client.close()
    return results, client.opened


def open_loop(
    port: int, requests: Sequence[bytes], rate: float, timeout: float = 60.0
) -> tuple[list[Result], int]:
    """Send `requests` to 127.0.0.1:`port` at `rate` per second; the results (in order) and how many
    connections were opened."""
    return asyncio.run(_drive(port, requests, rate, timeout))


def quantile(values: Sequence[float], q: float) -> float:
    """The nearest-rank quantile (q in 0..1) of the values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q * len(ordered))))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Answer:
    key: str  # the request's identity (Idempotency-Key, MessageSid): what the database must then hold
    latency: float  # seconds from sending to the end of the response
    status: int  # 0: no answer
    error: str | None = None


#: Builds request `n` of client `c`: its identity and its bytes.
Maker = Callable[[int, int], tuple[str, bytes]]


async def _client_loop(
    port: int, make: Maker, client: int, deadline: float, timeout: float, out: list[Answer]
) -> None:
    conn = _Client(port, timeout)
    n = 0
    while time.perf_counter() < deadline:
        key, raw = make(client, n)
        n += 1
        sent = time.perf_counter()
        try:
            status = await conn.exchange(raw)
        except Exception as exc:  # a refused or broken connection is a result, not a crash of the bench
            out.append(Answer(key, time.perf_counter() - sent, 0, type(exc).__name__))
            continue
        out.append(Answer(key, time.perf_counter() - sent, status))
    conn.close()


async def _ticker(
    every: float, deadline: float, tick: Callable[[float, int], None], out: list[Answer]
) -> None:
    start = time.perf_counter()
    while (left := deadline - time.perf_counter()) > 0:
        await asyncio.sleep(min(every, left))
        tick(time.perf_counter() - start, len(out))


async def _closed(
    port: int,
    make: Maker,
    clients: int,
    seconds: float,
    tick: Callable[[float, int], None] | None,
    timeout: float,
) -> tuple[list[Answer], float]:
    out: list[Answer] = []
    start = time.perf_counter()
    deadline = start + seconds
    loops = [_client_loop(port, make, client, deadline, timeout, out) for client in range(clients)]
    ticker = [_ticker(10.0, deadline, tick, out)] if tick else []
    await asyncio.gather(*loops, *ticker)
    return out, time.perf_counter() - start


def closed_loop(
    port: int,
    make: Maker,
    clients: int,
    seconds: float,
    tick: Callable[[float, int], None] | None = None,
    timeout: float = 30.0,
) -> tuple[list[Answer], float]:
    """`clients` keep-alive connections to 127.0.0.1:`port`, each sending its next request as soon as the
    last is answered, for `seconds` (a request in flight at the end is finished); the answers and the wall
    time. `tick(elapsed, answered)` runs every 10 s (progress)."""
    return asyncio.run(_closed(port, make, clients, seconds, tick, timeout))
