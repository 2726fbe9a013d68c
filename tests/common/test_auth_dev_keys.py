"""The development key: created once, atomically, whoever starts first."""

from __future__ import annotations

import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common.auth import load_or_create_dev_key
from common.auth.dev_keys import public_jwk


def test_created_once_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dev-signing-key.pem"
    first = load_or_create_dev_key(path)
    again = load_or_create_dev_key(path)
    assert public_jwk(first) == public_jwk(again)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left


def test_threads_starting_together_agree(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    with ThreadPoolExecutor(max_workers=16) as pool:
        kids = set(pool.map(lambda _: public_jwk(load_or_create_dev_key(path))["kid"], range(32)))
    assert len(kids) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["k.pem"]


def test_processes_starting_together_agree(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    script = (
        "import sys; from common.auth.dev_keys import load_or_create_dev_key, public_jwk; "
        "print(public_jwk(load_or_create_dev_key(sys.argv[1]))['kid'])"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    kids = {p.communicate(timeout=60)[0].strip() for p in processes}
    assert all(p.returncode == 0 for p in processes)
    assert kids == {public_jwk(load_or_create_dev_key(path))["kid"]}
