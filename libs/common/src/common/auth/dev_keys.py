"""The local development issuer: an ES256 key in a PEM file, and tokens signed with it.

Production tokens come from an external issuer and are checked against its JWKS; this key
exists so ``make run`` and the tests work offline. Never point production at it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

DEV_ALGORITHM = "ES256"
DEFAULT_TTL_SECONDS = 3600


def _load(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(f"{path} is not an EC P-256 private key")
    return key


def _publish(pem: bytes, path: Path) -> None:
    """Put ``pem`` at ``path`` unless a key is already there; never overwrite one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".dev-key-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # A hard link appears complete or not at all, and fails if the name exists, so
            # services starting together all end up with the first writer's key.
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:
            # Filesystems without hard links: exclusive create (a reader may briefly see a
            # partial file; load_or_create_dev_key retries).
            try:
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return
            with os.fdopen(out, "wb") as handle:
                handle.write(pem)
    finally:
        os.unlink(tmp)


def load_or_create_dev_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The development signing key at ``path``, created (atomically) when missing."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _publish(pem, path)
    for _ in range(50):
        try:
            return _load(path)
        except ValueError:
            time.sleep(0.01)  # only in the no-hard-link fallback: the writer is mid-write
    return _load(path)


def public_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """The public key as a JWK with an RFC 7638 thumbprint as ``kid``."""
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    digest = hashlib.sha256(json.dumps(required, separators=(",", ":"), sort_keys=True).encode())
    kid = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
    return {**required, "kid": kid, "alg": DEV_ALGORITHM, "use": "sig"}


def jwks_document(*keys: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """A JWKS (``{"keys": [...]}``) publishing the public halves of ``keys``."""
    return {"keys": [public_jwk(k) for k in keys]}


def issue_dev_token(
    key: ec.EllipticCurvePrivateKey,
    *,
    issuer: str,
    audience: str,
    subject: str = "dev",
    scopes: Iterable[str] = (),
    la: Iterable[str] = (),
    trusts: Iterable[str] = (),
    partnerships: Iterable[str] = (),
    schools: Iterable[str] = (),
    person_id: str | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    now: datetime | None = None,
) -> str:
    """A signed token with the claims the services read (see :class:`~common.auth.Principal`)."""
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": issued,
        "exp": issued + timedelta(seconds=ttl_seconds),
        "scope": " ".join(scopes),
        "la": list(la),
        "trusts": list(trusts),
        "partnerships": list(partnerships),
        "schools": list(schools),
    }
    if person_id is not None:
        claims["person_id"] = person_id
    headers = {"kid": public_jwk(key)["kid"]}
    return jwt.encode(claims, key, algorithm=DEV_ALGORITHM, headers=headers)
