"""Python clients generated with openapi-python-client from each service's OpenAPI document
(in-process), once per test session, offline."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI

# The three services in one process, as the end-to-end tests run them.
from tests.e2e.conftest import system  # noqa: F401

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# No post-hooks: the generator would run ruff over the code, which takes longer than the
# generation and changes nothing we test.
CONFIG = "post_hooks: []\n"


def generate_client(app: FastAPI, package: str, folder: Path) -> ModuleType:
    """Generate ``package`` from ``app``'s OpenAPI into ``folder`` and import it. Any warning
    of the generator (an unsupported construct, a missing operationId...) fails."""
    folder.mkdir(parents=True, exist_ok=True)
    document = folder / f"{package}.json"
    document.write_text(json.dumps(app.openapi()))
    config = folder / "generator.yaml"
    config.write_text(CONFIG)
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            *("--path", str(document)),
            *("--config", str(config)),
            *("--meta", "none"),
            *("--output-path", str(folder / package)),
            "--fail-on-warning",
            "--overwrite",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]  # generated again: import this copy, not an earlier one
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(folder))


@pytest.fixture(scope="session")
def generated_clients(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """``generated_clients("scheduling")`` -> the generated package, made on first use."""
    from knowledge.main import create_app as create_knowledge
    from reviews.main import create_app as create_reviews
    from scheduling.main import create_app as create_scheduling

    builders: dict[str, Callable[[], FastAPI]] = {
        "scheduling": create_scheduling,
        "reviews": create_reviews,
        "knowledge": create_knowledge,
    }
    folder = tmp_path_factory.mktemp("clients")
    made: dict[str, ModuleType] = {}

    def client_for(service: str) -> ModuleType:
        if service not in made:
            made[service] = generate_client(builders[service](), f"cf_{service}_client", folder)
        return made[service]

    return client_for
