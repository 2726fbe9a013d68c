"""``cf``: developer and operator commands. ``cf token`` prints a bearer token the services accept
when they use the development key; ``cf keygen`` creates that key if it is missing; ``cf ops``
reads backlogs and replays dead letters and consumers (:mod:`common.operations.cli`).

Settings come from the environment like the services': AUTH_DEV_KEY_PATH, AUTH_ISSUER,
AUTH_AUDIENCE.

Other packages add subcommands through the ``cf.commands`` entry-point group (``cf demo`` comes
from the demo package): ``name = "package.module:main"``, where ``main(argv, *, prog) -> int``.
``cf`` only looks them up by name, so common never imports them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import EntryPoint, entry_points

from common.auth.dev_keys import (
    DEFAULT_TTL_SECONDS,
    issue_dev_token,
    load_or_create_dev_key,
    public_jwk,
)
from common.settings import ServiceSettings

PLUGIN_GROUP = "cf.commands"
BUILT_IN = ("token", "keygen", "ops")

PluginMain = Callable[..., int]


def plugins() -> dict[str, EntryPoint]:
    """Subcommands other installed packages offer (their names cannot shadow a built-in)."""
    return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP) if ep.name not in BUILT_IN}


def _parser(extra: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cf", description="Critical Friend developer tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in extra:
        commands.add_parser(name, help=f"cf {name} --help for its options", add_help=False)

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
    commands.add_parser("ops", help="operate a running system: cf ops --help", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] == "ops":
        from common.operations.cli import main as operate  # NATS and databases: only when asked

        return operate(arguments[1:], prog="cf ops")
    offered = plugins()
    if arguments and arguments[0] in offered:
        command: PluginMain = offered[arguments[0]].load()
        return command(arguments[1:], prog=f"cf {arguments[0]}")
    args = _parser(sorted(offered)).parse_args(arguments)
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
