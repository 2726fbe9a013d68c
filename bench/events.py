"""The event pipeline on PostgreSQL, commit -> applied in two consumers, against NATS alone.

Ours (each in its own process): a writer committing outbox rows through ``add_event``, the
outbox relay, and two consumers (the real ``ConsumerRunner``, a handler writing one row per
event in the consumer's own database, ``transaction_batch`` deliveries to a transaction).
Two phases: ``steady`` (one event per transaction at a steady rate, like school PUTs) and
``burst`` (many events committed in one transaction, like a national GIAS import).

The ceiling, in the same run: one process publishing the same payloads straight to JetStream
(pipelined) and two pull consumers fetching and acking them.

Measured per phase: latency from the commit (the publish, for the ceiling) to the consumer's
commit (its receipt) for every event in each consumer (p50, p99, max); how long after the last
commit the last event was applied; CPU time of every process (from /proc, all threads) from
the start of the phase until both consumers had everything, per event. The writer's CPU is
not counted (it is the API's); the NATS server's is reported apart. The machine's load
average is recorded, since other work on the machine skews every figure.

``python -m bench events [--rate 200] [--seconds 20] [--burst 20000] [--transaction-batch 64]``
writes ``bench/results/events.json`` and prints a table. Needs PostgreSQL (``TEST_POSTGRES_URL``,
default ``postgresql://postgres@127.0.0.1:5432/postgres``); NATS is started on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import queue
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench import events_roles as roles
from common.messaging import Broker, ensure_dead_letter_stream, ensure_stream
from common.testing.databases import database_with_tables, temporary_postgres_database
from common.testing.nats import NatsServer

RESULTS = Path(__file__).resolve().parent / "results" / "events.json"
DRAIN_LIMIT = 300.0  # seconds after the last commit before a phase is declared stuck
CONSUMERS = ("reviews", "knowledge")  # named after the services whose directories they stand for

_spawn = multiprocessing.get_context("spawn")
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency_ms(sent: dict[str, float], received: dict[str, float]) -> dict[str, float]:
    lags = [(received[k] - t) * 1000 for k, t in sent.items() if k in received]
    return {
        "events": len(lags),
        "missing": len(sent) - len(lags),
        "p50_ms": round(statistics.median(lags), 1),
        "p99_ms": round(percentile(lags, 0.99), 1),
        "max_ms": round(max(lags), 1),
    }


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Processes:
    """Child processes started for one side of the run; CPU read from /proc per phase."""

    def __init__(self) -> None:
        self.named: dict[str, SpawnProcess] = {}
        self.stop = _spawn.Event()
        self.out: Any = _spawn.Queue()

    def start(self, name: str, target: Callable[..., None], *args: Any) -> None:
        process = _spawn.Process(target=target, args=args, name=name, daemon=True)
        process.start()
        self.named[name] = process

    def cpu(self) -> dict[str, float]:
        return {name: cpu_seconds(p.pid or 0) for name, p in self.named.items()}

    def finish(self, results: int, timeout: float = 60) -> dict[str, Any]:
        """Stop them; collect ``results`` (name, value) pairs from the queue."""
        self.stop.set()
        collected = dict(self.out.get(timeout=timeout) for _ in range(results))
        for process in self.named.values():
            process.join(timeout=timeout)
            if process.is_alive():
                process.kill()
        return collected


def run_child(target: Callable[..., None], *args: Any, timeout: float = 600) -> Any:
    """Run one short-lived role (a writer, a publisher) and return what it queued."""
    out: Any = _spawn.Queue()
    process = _spawn.Process(target=target, args=(*args, out), daemon=True)
    process.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = out.get(timeout=1)
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError(f"{target.__name__} exited with {process.exitcode}") from None
            continue
        process.join(timeout=30)
        return result
    process.kill()
    raise TimeoutError(f"{target.__name__} did not finish within {timeout}s")


async def wait_until(probe: Callable[[], Any], what: str, limit: float = DRAIN_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {limit}s")
        await asyncio.sleep(0.1)


def phase_cpu(
    before: dict[str, float], after: dict[str, float], events: int
) -> dict[str, dict[str, float]]:
    return {
        name: {
            "cpu_s": round(after[name] - before[name], 2),
            "cpu_ms_per_event": round((after[name] - before[name]) * 1000 / events, 3),
        }
        for name in after
    }


async def run_ours(
    args: argparse.Namespace, nats: NatsServer, urls: dict[str, str], log_dir: str
) -> dict[str, Any]:
    children = Processes()
    children.start("relay", roles.relay, urls["source"], nats.url, children.stop, log_dir)
    for name in CONSUMERS:
        children.start(
            name,
            roles.consumer,
            urls[name],
            nats.url,
            name,
            args.transaction_batch,
            args.fetch_batch,
            children.stop,
            children.out,
            log_dir,
        )
    counters = {name: await asyncpg.connect(_asyncpg_dsn(urls[name])) for name in CONSUMERS}

    async def applied_everywhere(total: int) -> bool:
        for conn in counters.values():
            if await conn.fetchval("SELECT count(*) FROM school_copy") < total:
                return False
        return True

    broker = await Broker.connect(nats.url, name="bench-probe")

    async def subscribed() -> bool:
        infos = await broker.js.streams_info()
        stream = next(info for info in infos if info.config.name == roles.STREAM)
        return bool(stream.state.consumer_count >= len(CONSUMERS))

    await wait_until(subscribed, "the consumers subscribed", limit=60)
    await broker.close()
    await asyncio.sleep(1.0)  # let the processes settle after their start-up

    phases: dict[str, Any] = {}
    committed: dict[str, dict[str, float]] = {}
    total = 0
    plan = [
        ("steady", int(args.rate * args.seconds), args.rate),
        ("burst", args.burst, 0.0),
    ]
    try:
        for phase, count, rate in plan:
            before = children.cpu() | {"nats-server": cpu_seconds(nats.pid or 0)}
            started = time.time()
            committed[phase] = await asyncio.to_thread(
                run_child, roles.writer, urls["source"], phase, count, rate, log_dir
            )
            total += count
            await wait_until(lambda: applied_everywhere(total), f"{phase}: all applied")  # noqa: B023
            done = time.time()
            after = children.cpu() | {"nats-server": cpu_seconds(nats.pid or 0)}
            phases[phase] = {
                "events": count,
                "rate_per_s": rate or None,
                "wall_s": round(done - started, 2),
                "cpu": phase_cpu(before, after, count),
                "last_commit_to_all_applied_s": round(done - max(committed[phase].values()), 2),
            }
            if rate:
                times = committed[phase].values()
                phases[phase]["achieved_rate_per_s"] = round(count / (max(times) - min(times)), 1)
        source = await asyncpg.connect(_asyncpg_dsn(urls["source"]))
        try:
            rows = await source.fetch(
                "SELECT event_id, extract(epoch FROM published_at)::float8 AS at FROM outbox"
            )
        finally:
            await source.close()
        published = {row["event_id"]: row["at"] for row in rows}
    finally:
        for conn in counters.values():
            await conn.close()
        applied = children.finish(results=len(CONSUMERS))
    for phase, sent in committed.items():
        phases[phase]["latency"] = {name: latency_ms(sent, applied[name]) for name in CONSUMERS}
        # commit -> marked sent: the relay's part (the mark follows the ack by one statement)
        phases[phase]["relay_latency"] = latency_ms(sent, published)
        cpu = phases[phase]["cpu"]
        phases[phase]["pipeline_cpu_ms_per_event"] = round(
            sum(cpu[name]["cpu_ms_per_event"] for name in ("relay", *CONSUMERS)), 3
        )
    return phases


async def run_ceiling(args: argparse.Namespace, nats: NatsServer) -> dict[str, Any]:
    children = Processes()
    durables = [f"raw-{name}" for name in CONSUMERS]
    for durable in durables:
        children.start(durable, roles.raw_consumer, nats.url, durable, children.stop, children.out)
    broker = await Broker.connect(nats.url, name="bench-probe")

    async def consumed(total: int) -> bool:
        for durable in durables:
            try:
                info = await broker.js.consumer_info(roles.RAW_STREAM, durable)
            except Exception:  # not created yet
                return False
            if info.ack_floor.stream_seq < total:
                return False
        return True

    await wait_until(lambda: consumed(0), "the raw consumers subscribed", limit=60)
    await asyncio.sleep(1.0)
    phases: dict[str, Any] = {}
    sent: dict[str, dict[str, float]] = {}
    total = 0
    try:
        for phase, count, rate in (
            ("steady", int(args.rate * args.seconds), args.rate),
            ("burst", args.burst, 0.0),
        ):
            before = children.cpu() | {"nats-server": cpu_seconds(nats.pid or 0)}
            started = time.time()
            sent[phase], publisher_cpu = await asyncio.to_thread(
                run_child, roles.raw_publisher, nats.url, phase, count, rate
            )
            total += count
            await wait_until(lambda: consumed(total), f"raw {phase}: all consumed")  # noqa: B023
            done = time.time()
            after = children.cpu() | {"nats-server": cpu_seconds(nats.pid or 0)}
            cpu = phase_cpu(before, after, count)
            cpu["publisher"] = {
                "cpu_s": round(publisher_cpu, 2),
                "cpu_ms_per_event": round(publisher_cpu * 1000 / count, 3),
            }
            phases[phase] = {
                "events": count,
                "rate_per_s": rate or None,
                "wall_s": round(done - started, 2),
                "cpu": cpu,
                "last_publish_to_all_consumed_s": round(done - max(sent[phase].values()), 2),
            }
    finally:
        await broker.close()
        received = children.finish(results=len(durables))
    for phase, times in sent.items():
        phases[phase]["latency"] = {d: latency_ms(times, received[d]) for d in durables}
        cpu = phases[phase]["cpu"]
        phases[phase]["pipeline_cpu_ms_per_event"] = round(
            sum(cpu[name]["cpu_ms_per_event"] for name in ("publisher", *durables)), 3
        )
    return phases


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-events-") as log_dir:
        nats = NatsServer.start()
        try:
            broker = await Broker.connect(nats.url, name="bench-setup")
            await ensure_stream(broker.js, roles.STREAM, [f"{roles.STREAM.lower()}.>"])
            await ensure_stream(broker.js, roles.RAW_STREAM, [f"{roles.RAW_STREAM.lower()}.>"])
            await ensure_dead_letter_stream(broker.js)
            await broker.close()
            async with AsyncExitStack() as stack:
                urls = {}
                for name in ("source", *CONSUMERS):
                    url = await stack.enter_async_context(
                        temporary_postgres_database(f"bench_events_{name}")
                    )
                    database = await database_with_tables(url, roles.Base.metadata)
                    await database.dispose()
                    urls[name] = url
                ours = await run_ours(args, nats, urls, log_dir)
            ceiling = await run_ceiling(args, nats)
        finally:
            nats.stop()
    return {
        "benchmark": "events",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "rate_per_s": args.rate,
            "seconds": args.seconds,
            "burst": args.burst,
            "transaction_batch": args.transaction_batch,
            "fetch_batch": args.fetch_batch,
            "keys": roles.KEYS,
            "database": "postgresql",
        },
        "ours": ours,
        "nats_alone": ceiling,
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{'side':<11}{'phase':<8}{'events':>7}{'consumer':>11}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'drain s':>9}{'CPU ms/event':>14}"
    ]
    for side in ("ours", "nats_alone"):
        for phase, figures in result[side].items():
            drain = figures.get("last_commit_to_all_applied_s") or figures.get(
                "last_publish_to_all_consumed_s"
            )
            for consumer, lat in figures["latency"].items():
                lines.append(
                    f"{side:<11}{phase:<8}{figures['events']:>7}{consumer:>11}"
                    f"{lat['p50_ms']:>9}{lat['p99_ms']:>9}{lat['max_ms']:>9}{drain:>9}"
                    f"{figures['pipeline_cpu_ms_per_event']:>14}"
                )
    for phase, figures in result["ours"].items():
        relay = figures["relay_latency"]
        lines.append(
            f"ours {phase}: commit -> marked sent by the relay p50 {relay['p50_ms']} ms, "
            f"p99 {relay['p99_ms']} ms"
        )
    load = result["machine"]["load_average_before"]
    lines.append(f"load average before the run: {load}; CPU = relay (publisher) + two consumers")
    return "\n".join(lines)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench events")
    parser.add_argument("--rate", type=float, default=200.0, help="steady events per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="steady phase length")
    parser.add_argument("--burst", type=int, default=20_000, help="events in the burst")
    parser.add_argument("--transaction-batch", type=int, default=64)
    parser.add_argument("--fetch-batch", type=int, default=64, help="the consumers' fetch size")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse(argv if argv is not None else [])
    result = asyncio.run(run(args))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    return result


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
