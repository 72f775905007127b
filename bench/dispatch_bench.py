"""Outbound throughput of the dispatcher: messages a second to a provider with 0 ms and 200 ms latency.

    .venv/bin/python bench/dispatch_bench.py [--messages 200] [--concurrency 8] [--databases sqlite,...]

Each run seeds `--messages` overdue New York consumers (each owes one e-mail now), plans them, and drains
the outbox with the product's `Dispatcher`, its channel Twilio's Messages API through the official SDK
behind the `ResilientChannel` wrapper, to the local Twilio wire fake (its own process, `--latency`). One
worker process, and (PostgreSQL) one worker per core, each with `--concurrency` sends in flight. The floor,
in the same run: the same number of raw `client.messages.create` calls through the same SDK, same fake,
same concurrency, nothing else. CPU is each process's own (utime + stime); the fake's and PostgreSQL's
are not counted. Each first contact owes a validation notice, queued by the dispatcher and sent in a later
batch: `--messages` consumers make twice as many messages, all counted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procs import free_port, scratch_database, temp_folder  # noqa: E402

PYTHON = sys.executable


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _twilio(url: str) -> Any:
    from arrears.providers.twilio.client import TwilioConfig, make_client

    config = TwilioConfig("AC" + "0" * 32, "token", "+15005550006", None, None, api_base_url=url)
    return make_client(config)


def _smtp(url: str) -> Any:
    from arrears.providers.smtp.channel import SmtpEmail
    from arrears.providers.smtp.session import SmtpConfig

    host, port = url.removeprefix("smtp://").split(":")
    return SmtpEmail(SmtpConfig(host, "collections@acme.example", int(port), "none", timeout_seconds=10))


def _channel(fake_url: str) -> Any:
    """The provider's channel: the SMTP channel for an smtp:// fake, else Twilio's SMS through the SDK."""
    from arrears.providers.twilio.channels import TwilioMessaging

    if fake_url.startswith("smtp://"):
        return _smtp(fake_url)
    return TwilioMessaging(_twilio(fake_url), "sms", "+15005550006", None)


def worker(db_url: str, fake_url: str, concurrency: int, name: str) -> dict[str, Any]:
    """One worker process: drain the outbox through the provider; its wall time, CPU and messages."""
    from tests.engine.exactly_once_support import SETTINGS, START, full_gate

    from arrears.channels.resilience import Guards
    from arrears.core.clock import SimulatedClock
    from arrears.engine.dispatcher import Dispatcher
    from arrears.store.db import make_engine, session_factory
    from arrears.system.parts import disclosure_texts

    sessions = session_factory(make_engine(db_url))
    gate = full_gate()
    guards = Guards(failures=5, cooldown=30, provider_rates={}, sender_rates={}, max_wait=2)
    provider = "smtp" if fake_url.startswith("smtp://") else "twilio"
    channel = guards.wrap(provider, _channel(fake_url))
    dispatcher = Dispatcher(
        sessions,
        SimulatedClock(START + timedelta(minutes=1)),
        {"email": channel},
        gate,
        worker_id=name,
        batch_size=100,
        disclosures_for=disclosure_texts(gate, SETTINGS),
        send_concurrency=concurrency,
    )
    started, cpu = time.monotonic(), _cpu()
    stats = dispatcher.run_until_idle()
    seconds, used = time.monotonic() - started, _cpu() - cpu
    return {"sent": stats.sent, "failed": stats.failed, "seconds": seconds, "cpu": used}


def floor(fake_url: str, count: int, concurrency: int) -> dict[str, Any]:
    """The same calls straight through the SDK (SMTP: the SMTP channel alone, its MIME included): what the
    provider and its client cost, and nothing of ours."""
    if fake_url.startswith("smtp://"):
        from arrears.channels.base import OutboundMessage

        email = _smtp(fake_url)

        def one(i: int) -> None:
            email.send(OutboundMessage(f"floor-{i}", "email", f"debtor{i}@example.com", "floor", "Floor"))
    else:
        client = _twilio(fake_url)

        def one(i: int) -> None:
            client.messages.create(to=f"+1212555{i:04d}", from_="+15005550006", body=f"floor {i}")

    started, cpu = time.monotonic(), _cpu()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return {"sent": count, "seconds": time.monotonic() - started, "cpu": _cpu() - cpu}


def seed(db_url: str, count: int) -> None:
    from tests.engine.exactly_once_support import START, full_gate, plan, seed_us

    from arrears.core.clock import SimulatedClock
    from arrears.store.db import make_engine, session_factory
    from arrears.store.migrate import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    sessions = session_factory(engine)
    seed_us(sessions, START, count)
    plan(sessions, SimulatedClock(START), full_gate())
    engine.dispose()


def _child(args: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"}
    return subprocess.Popen([PYTHON, __file__, *args], stdout=subprocess.PIPE, env=env, cwd=ROOT)


def _answer(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    out, _ = process.communicate(timeout=900)
    if process.returncode:
        raise RuntimeError(f"a bench process failed ({process.returncode})")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def _fake(latency: float | None) -> tuple[subprocess.Popen[bytes], str]:
    """The Twilio wire fake with `latency`, or (None) the SMTP fake (aiosmtpd), in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if latency is None:
        serve = "from arrears.fakes import smtp; import threading; print(smtp.start().url, flush=True); "
        serve += "threading.Event().wait()"
        process = subprocess.Popen([PYTHON, "-c", serve], env=env, cwd=ROOT, stdout=subprocess.PIPE)
        assert process.stdout is not None
        return process, process.stdout.readline().decode().strip()
    port = free_port()
    command = [PYTHON, "-m", "tests.channels.twilio_wire", str(port), str(latency)]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    time.sleep(1.5)
    return process, f"http://127.0.0.1:{port}"


def run(kind: str, latency: float | None, workers: int, messages: int, concurrency: int) -> dict[str, Any]:
    with temp_folder("dispatch-bench") as folder, scratch_database(kind, Path(folder)) as url:
        seed(url, messages)
        fake, fake_url = _fake(latency)
        try:
            base = _answer(_child(["floor", fake_url, str(messages), str(concurrency)]))
            procs = [_child(["worker", url, fake_url, str(concurrency), f"w{i}"]) for i in range(workers)]
            results = [_answer(p) for p in procs]
        finally:
            fake.terminate()
            fake.wait()
    sent = sum(r["sent"] for r in results)
    seconds = max(r["seconds"] for r in results)
    cpu = sum(r["cpu"] for r in results)
    return {
        "database": kind,
        "provider": "smtp" if latency is None else f"twilio {int(latency * 1000)} ms",
        "workers": workers,
        "sent": sent,
        "failed": sum(r["failed"] for r in results),  # transient: back in the queue, not lost
        "per_second": sent / seconds,
        "cpu_ms_per_message": 1000 * cpu / max(sent, 1),
        "floor_per_second": base["sent"] / base["seconds"],
        "floor_cpu_ms_per_message": 1000 * base["cpu"] / base["sent"],
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("worker", "floor"):
        role, rest = sys.argv[1], sys.argv[2:]
        if role == "worker":
            print(json.dumps(worker(rest[0], rest[1], int(rest[2]), rest[3])))
        else:
            print(json.dumps(floor(rest[0], int(rest[1]), int(rest[2]))))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = []
    for kind in args.databases.split(","):
        for latency in (0.0, 0.2, None):
            for workers in (1, 2) if kind == "postgresql" else (1,):
                row = run(kind, latency, workers, args.messages, args.concurrency)
                rows.append(row)
                print(json.dumps(row), flush=True)
    print(f"load average: {os.getloadavg()}")
    for kind in args.databases.split(","):
        for workers in (1, 2):
            pair = [r for r in rows if r["database"] == kind and r["workers"] == workers]
            if len(pair) == 3:
                ratio = pair[1]["per_second"] / pair[0]["per_second"]
                print(f"{kind}, {workers} worker(s): 200 ms / 0 ms throughput = {ratio:.0%}")


if __name__ == "__main__":
    main()
