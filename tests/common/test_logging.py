"""Logs are JSON lines, and an exception's traceback never carries the frames' local values
(request headers, bearer tokens, personal data live there)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from common.logging import configure_logging, get_logger


def _fail_holding_a_secret() -> None:
    authorization = "Bearer secret-token-value"
    raise RuntimeError(f"boom ({len(authorization)} characters)")


def test_a_logged_exception_has_its_traceback_but_no_locals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written = io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stderr", written)
        configure_logging("logging-test", "INFO")
        try:
            _fail_holding_a_secret()
        except RuntimeError:
            get_logger("tests").exception("unhandled_error", path="/v1/things")
    configure_logging("tests", "INFO")  # back to the real stderr for the tests after this one
    line = written.getvalue().strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["event"] == "unhandled_error"
    assert entry["service"] == "logging-test"
    [exception] = entry["exception"]
    assert exception["exc_type"] == "RuntimeError"
    assert any(f["name"] == "_fail_holding_a_secret" for f in exception["frames"])
    assert "secret-token-value" not in line
