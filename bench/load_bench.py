"""Load held (issue 10): a bounded loopback load on the events API and the Twilio webhooks, beside a floor.

Starts a real `arrears serve` (the installed console script, JSON logs to a file) and a floor (a bare
FastAPI app on uvicorn, bench/floor_app.py, that stores the same inbox row with one INSERT) on a throwaway
database (PostgreSQL created and dropped around the run, or a SQLite file), seeds a portfolio with
`arrears import invoices`, creates a key with `arrears api-key create`, then drives each server in turn
with the same closed-loop clients (keep-alive connections, each sending its next request when the last is
answered) for the same time: events (`POST /v1/events`, a mix naming the portfolio's records, every one
under a new Idempotency-Key), then signed Twilio texts (`/v1/twilio/messages`). Phases alternate between
arrears and the floor (`--rounds` repeats the alternation), so both see the same machine.

Reported per server and kind: requests, events/s, p50/p99, errors (non-2xx, connection errors), lost
(answered 2xx but no row in the database), and CPU per event: the server's process tree from /proc (uvicorn
workers included), plus its PostgreSQL backends; then arrears against the floor.

    .venv/bin/python bench/load_bench.py --db postgresql --seconds 60 --clients 4
    .venv/bin/python bench/load_bench.py --db sqlite --seconds 3 --json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from arrears.store.db import normalise_url
from load_traffic import AUTH_TOKEN, PUBLIC_BASE_URL, events_maker, texts_maker, write_portfolio
from loadgen import Answer, Maker, closed_loop, quantile
from procs import (
    BackendCpu,
    TreeCpu,
    free_port,
    scratch_database,
    started,
    temp_folder,
    wait_for_port,
    with_app_name,
)

BIN = Path(sys.executable).parent
KINDS = ("events", "webhooks")
SERVERS = ("arrears", "floor")


def arrears_env(url: str, folder: Path, log_level: str) -> dict[str, str]:
    """The environment of every `arrears` command here: JSON logs, webhooks on, local sinks."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARREARS_")}
    return env | {
        "ARREARS_DATABASE_URL": with_app_name(url, "bench-arrears"),
        "ARREARS_LOG_JSON": "true",
        "ARREARS_LOG_LEVEL": log_level,
        "ARREARS_BUSINESS_NAME": "Bench Utilities",
        "ARREARS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,  # webhooks on; no account SID: replies go to the sinks
        "ARREARS_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "ARREARS_OUTBOX_DIR": str(folder / "outbox"),
    }


def _arrears(args: list[str], env: dict[str, str], log: Path) -> str:
    """Run one `arrears` command to the end; its stdout (stderr goes to the log)."""
    with log.open("ab") as sink:
        done = subprocess.run([str(BIN / "arrears"), *args], env=env, stdout=subprocess.PIPE, stderr=sink)
    if done.returncode:
        raise RuntimeError(f"arrears {args[0]} exited {done.returncode}: see {log}")
    return done.stdout.decode()


def seed(env: dict[str, str], folder: Path, accounts: int) -> str:
    """Schema, portfolio and an events:write key, through the CLI an operator uses; returns the key."""
    log = folder / "setup.log"
    _arrears(["db", "upgrade"], env, log)
    csv_path = folder / "portfolio.csv"
    write_portfolio(csv_path, accounts)
    summary = json.loads(_arrears(["import", "invoices", str(csv_path), "--json"], env, log))
    if summary.get("rejected"):
        raise RuntimeError(f"the portfolio import rejected rows: {summary}")
    return _arrears(["api-key", "create", "bench", "--scope", "events:write"], env, log).split()[0]


@dataclass
class Server:
    """One running server: where it listens, its process tree's CPU, its inbox source per kind."""

    name: str
    port: int
    cpu: TreeCpu
    app_name: str
    sources: dict[str, str]


@contextmanager
def servers(url: str, token: str, folder: Path, args: argparse.Namespace) -> Iterator[dict[str, Server]]:
    """`arrears serve` and the floor, both listening (idle until their phase), until the block ends."""
    workers = str(args.server_workers)
    serve = [str(BIN / "arrears"), "serve", "--port", str(free_port()), "--workers", workers]
    floor = [str(BIN / "uvicorn"), "floor_app:app", "--app-dir", str(Path(__file__).parent), "--port",
             str(free_port()), "--workers", workers, "--no-access-log", "--log-level", "warning"]  # fmt: skip
    floor_env = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
    floor_env["FLOOR_DATABASE_URL"] = with_app_name(url, "bench-floor")
    prefix = token.split("_")[1]
    with ExitStack() as stack:
        running = {}
        for name, command, env, sources in (
            ("arrears", serve, arrears_env(url, folder, args.log_level),
             {"events": f"api:{prefix}", "webhooks": "twilio"}),
            ("floor", floor, floor_env, {"events": "floor-events", "webhooks": "floor-twilio"}),
        ):  # fmt: skip
            process = stack.enter_context(started(command, env, folder / f"{name}.log"))
            port = int(command[command.index("--port") + 1])
            running[name] = (process, Server(name, port, TreeCpu(process.pid), f"bench-{name}", sources))
        for process, server in running.values():
            wait_for_port(server.port, process)
            if args.server_workers > 1:
                time.sleep(2)  # uvicorn's worker processes start after the socket is bound
        yield {name: server for name, (_, server) in running.items()}


@dataclass
class Tally:
    """What one server took of one kind of load, over every round."""

    answers: list[Answer] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)  # every 2xx, warm-ups included: each must have its row
    seconds: float = 0.0
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    client_cpu: float = 0.0


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def run_phase(
    server: Server,
    kind: str,
    makers: tuple[Maker, Maker],
    backends: BackendCpu | None,
    args: argparse.Namespace,
    tally: Tally,
) -> None:
    """Warm up, then `--seconds` of closed-loop load (each with its own keys); answers and CPU added to
    the tally."""
    warm_up, make = makers
    warm, _ = closed_loop(server.port, warm_up, args.clients, args.warmup)
    tally.keys.update(a.key for a in warm if 200 <= a.status < 300)
    label = f"{server.name} {kind}"

    def tick(elapsed: float, answered: int) -> None:
        if backends:
            backends.sample()
        rate = answered / max(elapsed, 1e-9)
        print(f"  {label}: {elapsed:4.0f}/{args.seconds:.0f} s, {answered} answered ({rate:.0f}/s)",
              file=sys.stderr, flush=True)  # fmt: skip

    if backends:
        backends.start()
    cpu0, own0 = server.cpu.sample(), _own_cpu()
    answers, seconds = closed_loop(server.port, make, args.clients, args.seconds, tick)
    tally.server_cpu += server.cpu.sample() - cpu0
    tally.client_cpu += _own_cpu() - own0
    if backends:
        backends.sample()
        tally.database_cpu += backends.by_name().get(server.app_name, 0.0)
    tally.answers += answers
    tally.keys.update(a.key for a in answers if 200 <= a.status < 300)
    tally.seconds += seconds
    ok = sum(200 <= a.status < 300 for a in answers)
    print(f"  {label}: {ok / seconds:.1f}/s, {len(answers) - ok} errors", file=sys.stderr, flush=True)


def stored_keys(url: str, source: str) -> set[str]:
    """The identities the inbox holds for one source (read without taking SQLite's write lock)."""
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT external_id FROM inbox_events WHERE source = :s"), {"s": source})
        keys = {str(row[0]) for row in rows}
    engine.dispose()
    return keys


def summary(tally: Tally, stored: set[str]) -> dict[str, Any]:
    accepted = [a for a in tally.answers if 200 <= a.status < 300]
    latencies = [a.latency for a in tally.answers]
    count = max(1, len(accepted))
    return {
        "requests": len(tally.answers),
        "accepted": len(accepted),
        "events_per_s": round(len(accepted) / tally.seconds, 1),
        "p50_ms": round(quantile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(quantile(latencies, 0.99) * 1000, 1),
        "errors": len(tally.answers) - len(accepted),
        "statuses": sorted({a.status for a in tally.answers if not 200 <= a.status < 300}),
        "lost": len(tally.keys - stored),
        "server_cpu_ms": round(tally.server_cpu / count * 1000, 3),
        "database_cpu_ms": round(tally.database_cpu / count * 1000, 3),
        "cpu_ms": round((tally.server_cpu + tally.database_cpu) / count * 1000, 3),
        "client_cpu_ms": round(tally.client_cpu / count * 1000, 3),
        "seconds": round(tally.seconds, 1),
    }


def measure(url: str, token: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every round: arrears then the floor, events then webhooks; the figures of each and the ratios."""
    tallies = {(server, kind): Tally() for kind in KINDS for server in SERVERS}
    backends = BackendCpu(url) if url.startswith("postgresql") else None
    with servers(url, token, folder, args) as running:
        for round_ in range(args.rounds):
            for kind in args.kinds:
                for name in SERVERS:
                    warm, main = (f"{name[0]}{kind[0]}{round_}{part}" for part in "wm")
                    makers = (
                        (events_maker(token, args.accounts, warm), events_maker(token, args.accounts, main))
                        if kind == "events"
                        else (texts_maker(args.accounts, warm), texts_maker(args.accounts, main))
                    )
                    run_phase(running[name], kind, makers, backends, args, tallies[name, kind])
        results: dict[str, Any] = {}
        for (name, kind), tally in tallies.items():
            if tally.answers:
                stored = stored_keys(url, running[name].sources[kind])
                results[f"{name} {kind}"] = summary(tally, stored)
    if backends:
        backends.close()
    for kind in args.kinds:
        ours, floor = results[f"arrears {kind}"], results[f"floor {kind}"]
        results[f"ratio {kind}"] = {
            "rate_x": round(floor["events_per_s"] / max(ours["events_per_s"], 1e-9), 2),
            "cpu_x": round(ours["cpu_ms"] / max(floor["cpu_ms"], 1e-9), 2),
        }
    return results


def table(results: dict[str, Any]) -> str:
    """The figures as a Markdown table, then the ratios."""
    lines = [
        "| server, load | requests | events/s | p50 | p99 | errors | lost | CPU / event (server + db) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results.items():
        if name.startswith("ratio"):
            continue
        cpu = f"{row['cpu_ms']:.2f} ms ({row['server_cpu_ms']:.2f} + {row['database_cpu_ms']:.2f})"
        lines.append(
            f"| {name} | {row['requests']:,} | {row['events_per_s']:.1f} | {row['p50_ms']:.1f} ms "
            f"| {row['p99_ms']:.1f} ms | {row['errors']} | {row['lost']} | {cpu} |"
        )
    for name, ratio in results.items():
        if name.startswith("ratio"):
            kind = name.split()[1]
            rate, cpu = ratio["rate_x"], ratio["cpu_x"]
            lines.append(f"\n{kind}: floor/arrears rate {rate:.2f}x, arrears/floor CPU {cpu:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per phase")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive clients")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each phase")
    parser.add_argument("--rounds", type=int, default=1, help="arrears/floor alternations")
    parser.add_argument("--kinds", default="events,webhooks", help="events, webhooks or both")
    parser.add_argument("--accounts", type=int, default=2000, help="portfolio size")
    parser.add_argument("--server-workers", type=int, default=1, help="uvicorn processes of each server")
    parser.add_argument("--log-level", default="WARNING", help="ARREARS_LOG_LEVEL (INFO: access logs)")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs here (default: a temp folder)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout, the table on stderr")
    args = parser.parse_args()
    args.kinds = [kind for kind in args.kinds.split(",") if kind]
    load_before = round(os.getloadavg()[0], 2)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(temp_folder("arrears-load-")))
        folder = args.logs or tmp
        folder.mkdir(parents=True, exist_ok=True)
        url = stack.enter_context(scratch_database(args.db, tmp))
        print(f"seeding {args.accounts} accounts on {args.db}", file=sys.stderr, flush=True)
        token = seed(arrears_env(url, folder, args.log_level), folder, args.accounts)
        results = measure(url, token, folder, args)
    report = {
        "at": f"{datetime.now(UTC):%Y-%m-%d %H:%M}Z",
        "db": args.db,
        "clients": args.clients,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "server_workers": args.server_workers,
        "load_before": load_before,
        "load_after": round(os.getloadavg()[0], 2),
        "results": results,
    }
    print(table(results), file=sys.stderr if args.json else sys.stdout, flush=True)
    if args.json:
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
