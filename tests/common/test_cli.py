"""``cf token`` prints a token the services' DevKeyVerifier accepts; ``cf keygen`` makes the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from common.auth import DevKeyVerifier
from common.cli import main


@pytest.fixture
def key_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "dev.pem"
    monkeypatch.setenv("AUTH_DEV_KEY_PATH", str(path))
    monkeypatch.setenv("AUTH_ISSUER", "cli-issuer")
    monkeypatch.setenv("AUTH_AUDIENCE", "cli-audience")
    return path


async def test_token_is_accepted_by_the_dev_verifier(
    key_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "token",
            "--scope",
            "directory:read directory:write",
            "--scope",
            "reviews:read",
            "--la",
            "881",
            "--la",
            "882",
            "--partnership",
            "p-1",
            "--school",
            "100000",
            "--trust",
            "TR1",
            "--person",
            "person-7",
            "--sub",
            "alice",
            "--ttl",
            "600",
        ]
    )
    assert code == 0
    token = capsys.readouterr().out.strip()
    principal = await DevKeyVerifier(key_path, "cli-issuer", "cli-audience").verify(token)
    assert principal.subject == "alice"
    assert principal.scopes == {"directory:read", "directory:write", "reviews:read"}
    assert principal.la == ("881", "882")
    assert principal.partnerships == ("p-1",)
    assert principal.schools == ("100000",)
    assert principal.trusts == ("TR1",)
    assert principal.person_id == "person-7"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 600


def test_keygen_creates_then_keeps(key_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen"]) == 0
    assert "created" in capsys.readouterr().out
    pem = key_path.read_bytes()
    assert main(["keygen"]) == 0
    assert "exists" in capsys.readouterr().out
    assert key_path.read_bytes() == pem


def test_bad_arguments(key_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["token", "--ttl", "soon"])
    with pytest.raises(SystemExit):
        main([])
    assert main(["token", "--ttl", "0"]) == 2


def test_console_script(key_path: Path) -> None:
    cf = Path(sys.executable).parent / "cf"
    result = subprocess.run(
        [str(cf), "token", "--scope", "x:read"], capture_output=True, text=True, check=True
    )
    assert result.stdout.count(".") == 2  # one JWT
