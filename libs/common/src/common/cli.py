"""``cf``: developer commands. ``cf token`` prints a bearer token the services accept when they
use the development key; ``cf keygen`` creates that key if it is missing.

Settings come from the environment like the services': AUTH_DEV_KEY_PATH, AUTH_ISSUER,
AUTH_AUDIENCE.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from common.auth.dev_keys import (
    DEFAULT_TTL_SECONDS,
    issue_dev_token,
    load_or_create_dev_key,
    public_jwk,
)
from common.settings import ServiceSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cf", description="Critical Friend developer tools.")
    commands = parser.add_subparsers(dest="command", required=True)

    token = commands.add_parser("token", help="print a development bearer token")
    token.add_argument(
        "--scope",
        action="append",
        default=[],
        help='space-separated scopes, e.g. "directory:read directory:write" (repeatable)',
    )
    token.add_argument("--la", action="append", default=[], metavar="CODE", help="LA code")
    token.add_argument("--trust", action="append", default=[], metavar="UID", help="trust UID")
    token.add_argument(
        "--partnership", action="append", default=[], metavar="ID", help="partnership id"
    )
    token.add_argument("--school", action="append", default=[], metavar="URN", help="school URN")
    token.add_argument("--person", metavar="ID", help="person_id, for a person (not a machine)")
    token.add_argument("--sub", default="dev", help="subject (client or user id); default dev")
    token.add_argument(
        "--ttl", type=int, default=DEFAULT_TTL_SECONDS, metavar="SECONDS", help="lifetime"
    )

    commands.add_parser("keygen", help="create the development signing key if it is missing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = ServiceSettings()
    existed = settings.auth_dev_key_path.exists()
    key = load_or_create_dev_key(settings.auth_dev_key_path)
    if args.command == "keygen":
        state = "exists" if existed else "created"
        print(f"{settings.auth_dev_key_path} ({state}, kid {public_jwk(key)['kid']})")
        return 0
    if args.ttl <= 0:
        print("cf token: --ttl must be positive", file=sys.stderr)
        return 2
    token = issue_dev_token(
        key,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        subject=args.sub,
        scopes=[s for value in args.scope for s in value.split()],
        la=args.la,
        trusts=args.trust,
        partnerships=args.partnership,
        schools=args.school,
        person_id=args.person,
        ttl_seconds=args.ttl,
    )
    print(token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
