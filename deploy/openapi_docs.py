"""Write (or check) the committed OpenAPI documents, docs/openapi/<service>.json.

``make openapi`` writes them; ``python deploy/openapi_docs.py --check`` exits 1 when one is
stale. The settings that only change what the document says of the deployment
(``PUBLIC_BASE_URL``, ``AUTH_TOKEN_URL``) are left at their defaults, so the documents do not
depend on the machine that wrote them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from common.http.openapi_document import render_document

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "docs" / "openapi"
_DEPLOYMENT_SETTINGS = ("PUBLIC_BASE_URL", "AUTH_TOKEN_URL")


def _factories() -> dict[str, Callable[[], FastAPI]]:
    from knowledge.main import create_app as knowledge
    from reviews.main import create_app as reviews
    from scheduling.main import create_app as scheduling

    return {"scheduling": scheduling, "reviews": reviews, "knowledge": knowledge}


def documents() -> dict[str, str]:
    """service -> its document as committed."""
    saved = {name: os.environ.pop(name) for name in _DEPLOYMENT_SETTINGS if name in os.environ}
    try:
        return {name: render_document(make().openapi()) for name, make in _factories().items()}
    finally:
        os.environ.update(saved)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a document is stale")
    args = parser.parse_args()
    stale = []
    for service, text in documents().items():
        path = FOLDER / f"{service}.json"
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"stale (run `make openapi`): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
