"""Sign-in: bearer tokens, stored as the sha256 of a high-entropy secret, and their roles.

A secret is 256 random bits, so one unsalted sha256 is as good as a password hash here:
nothing to brute-force. Roles: a submitter uploads and follows its jobs; a reviewer reads,
exports and decides; an admin may do both.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nianbao.store import Store

PREFIX = "nbt_"  # tells a nianbao token apart in a config file or a leaked log


class Role(StrEnum):
    SUBMITTER = "submitter"
    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name (recorded as the reviewer) and role."""

    token_id: int
    name: str
    role: Role


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str, role: Role | str) -> tuple[int, str]:
    """Store a new token; returns (id, secret). The secret is not kept anywhere."""
    secret = new_secret()
    token_id = store.add_token(name, Role(role).value, hash_secret(secret))
    return token_id, secret


def authenticate(store: Store, secret: str) -> Principal | None:
    """The token's principal, or None for an unknown or revoked secret."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    record = store.token_by_hash(digest)
    # looked up by hash, compared in constant time: no timing tells a near miss
    if record is None or not hmac.compare_digest(record.secret_hash, digest):
        return None
    return Principal(record.id, record.name, Role(record.role))


_bearer = HTTPBearer(auto_error=False, description="a token from `nianbao token create`")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def require(*roles: Role) -> Callable[..., Principal]:
    """A FastAPI dependency: the caller's principal, 401 without a valid token, 403 when its
    role is not one of `roles` (an admin may do everything)."""
    allowed = {*roles, Role.ADMIN}

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
    ) -> Principal:
        if credentials is None:
            raise _unauthorized("sign in: send 'Authorization: Bearer <token>'")
        principal = authenticate(request.app.state.store, credentials.credentials)
        if principal is None:
            raise _unauthorized("unknown or revoked token")
        if principal.role not in allowed:
            raise HTTPException(
                403,
                f"a {principal.role} token may not do this "
                f"(needs {' or '.join(sorted(r.value for r in allowed))})",
            )
        return principal

    return dependency
