"""``python -m demo``: the same as ``cf-demo``."""

from demo.cli import main

raise SystemExit(main())
