"""``python -m bench.serve <target> <port>``: one server for the HTTP benchmarks, in its own
process, configured by the environment: ``reviews`` and ``scheduling`` are the services as
deployed (uvicorn, ``--no-access-log``: the service logs its own access line at INFO); the
others are the ceilings of :mod:`bench.ceilings`."""

from __future__ import annotations

import sys

import uvicorn


def main() -> None:
    target, port = sys.argv[1], int(sys.argv[2])
    if target in ("reviews", "scheduling"):
        uvicorn.run(
            f"{target}.main:create_app",
            factory=True,
            host="127.0.0.1",
            port=port,
            access_log=False,
            log_level="info",
        )
        return
    from bench import ceilings

    uvicorn.run(
        ceilings.APPS[target](), host="127.0.0.1", port=port, access_log=False, log_level="info"
    )


if __name__ == "__main__":
    main()
