"""The run/CI wiring: Makefile targets, Procfile, .ci/run, and the Procfile's NATS process."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"
PROCFILE = ROOT / "Procfile"
CI_RUN = ROOT / ".ci" / "run"
DEV_NATS = ROOT / "deploy" / "dev_nats.py"
DEVRUN = ROOT / "deploy" / "devrun.py"
SERVICES = {"scheduling": 8001, "reviews": 8002, "knowledge": 8003}
REQUIRED_TARGETS = {
    "help",
    "install",
    "run",
    "token",
    "asyncapi",
    "bench",
    "test",
    "test-serial",
    "test-postgres",
    "lint",
    "fmt",
    "clean",
}


def makefile_rules() -> dict[str, str]:
    """Named targets (not file rules such as ``.venv/.installed``) and their ``## `` text."""
    rules = {}
    for line in MAKEFILE.read_text().splitlines():
        match = re.match(r"^([a-zA-Z][\w-]*)\s*:(?![:=])([^#]*)(?:##\s*(.*))?$", line)
        if match:
            rules[match.group(1)] = (match.group(3) or "").strip()
    return rules


def test_every_target_is_described() -> None:
    rules = makefile_rules()
    assert set(rules) >= REQUIRED_TARGETS, sorted(REQUIRED_TARGETS - set(rules))
    undescribed = sorted(name for name, text in rules.items() if not text)
    assert not undescribed, f"targets without a '## description': {undescribed}"
    phony = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", MAKEFILE.read_text(), flags=re.M)
    assert phony
    assert set(rules) <= set(phony.group(1).replace("\\", " ").split())


def test_makefile_never_downloads_python() -> None:
    assert re.search(r"^export UV_PYTHON_DOWNLOADS\s*:?=\s*never", MAKEFILE.read_text(), re.M)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_the_targets() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert set(makefile_rules()) == listed


def procfile() -> dict[str, str]:
    processes = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


def test_procfile_has_nats_and_the_three_services() -> None:
    processes = procfile()
    assert set(processes) == {"nats", *SERVICES}
    assert "deploy/dev_nats.py" in processes["nats"]
    for name, port in SERVICES.items():
        expected = (
            f".venv/bin/uvicorn --factory {name}.main:create_app --host 127.0.0.1 --port {port}"
        )
        assert expected in processes[name]
        assert f'("{name}", {port})' in DEVRUN.read_text(), "devrun.py's ports disagree"


def test_ci_run_lints_and_tests() -> None:
    assert os.access(CI_RUN, os.X_OK), ".ci/run is not executable"
    text = CI_RUN.read_text()
    assert "set -euo pipefail" in text
    assert re.search(r"^make test\s*$", text, re.M)
    assert re.search(r"^make lint\s*$", text, re.M)
    assert "CF_REQUIRE_POSTGRES=1" in text
    subprocess.run(["bash", "-n", str(CI_RUN)], check=True)


# --- the Procfile's nats process ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def listener() -> Iterator[int]:
    """Something that answers on a port: stands for a NATS server that is already running."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def start(args: list[str], port: int, cwd: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, NATS_URL=f"nats://127.0.0.1:{port}", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, str(DEV_NATS), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, output


def test_nats_process_idles_when_nats_already_answers(listener: int, tmp_path: Path) -> None:
    process = start(["serve"], listener, tmp_path)
    try:
        time.sleep(1.5)
        assert process.poll() is None, "it must keep running (honcho stops all when one exits)"
    finally:
        code, output = stop(process)
    assert code == 0, output
    assert "already answers" in output
    assert not (tmp_path / ".data").exists()


def test_nats_process_starts_the_wheel_server_on_a_free_port(tmp_path: Path) -> None:
    port = free_port()
    process = start(["serve"], port, tmp_path)
    try:
        deadline = time.monotonic() + 20
        while not answers(port):
            assert process.poll() is None, "nats-server exited"
            assert time.monotonic() < deadline, "nats-server did not start"
            time.sleep(0.1)
        # The script replaced itself with the server, so that honcho's SIGTERM reaches it.
        assert Path(f"/proc/{process.pid}/comm").read_text().strip() == "nats-server"
    finally:
        code, output = stop(process)
    assert code == 0, output
    assert (tmp_path / ".data" / "nats" / "jetstream").is_dir(), output
    assert not answers(port)


def test_wait_runs_the_command_once_nats_answers(listener: int, tmp_path: Path) -> None:
    process = start(
        ["wait", "--", sys.executable, "-c", "print('service started')"], listener, tmp_path
    )
    code, output = stop_after_exit(process)
    assert code == 0
    assert "service started" in output
    assert "starting anyway" not in output


def test_wait_gives_up_after_its_timeout(tmp_path: Path) -> None:
    command = ["wait", "--timeout", "0.5", "--", sys.executable, "-c", "print('service started')"]
    process = start(command, free_port(), tmp_path)
    code, output = stop_after_exit(process)
    assert code == 0
    assert "starting anyway" in output
    assert "service started" in output


def stop_after_exit(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, output
