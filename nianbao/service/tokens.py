"""API tokens without the web framework: make one, check one. Used by the API and the review
screen alike, so both sign in the same way.

A secret is 256 random bits, so one unsalted sha256 is as good as a password hash here:
nothing to brute-force. Roles: a submitter uploads and follows its jobs; a reviewer reads,
exports and decides; an admin may do both.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from nianbao.store import Store

PREFIX = "nbt_"  # tells a nianbao token apart in a config file or a leaked log


class Role(StrEnum):
    SUBMITTER = "submitter"
    REVIEWER = "reviewer"
    ADMIN = "admin"


REVIEWING = (Role.REVIEWER, Role.ADMIN)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name (recorded as the reviewer) and role."""

    token_id: int
    name: str
    role: Role
    secret_hash: str


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str, role: Role | str) -> tuple[int, str]:
    """Store a new token; returns (id, secret). The secret is not kept anywhere."""
    secret = new_secret()
    token_id = store.add_token(name, str(role), hash_secret(secret))  # the store checks the role
    return token_id, secret


def by_hash(store: Store, digest: str) -> Principal | None:
    """The live token with this secret hash (a session re-checks it: revoking takes effect)."""
    record = store.token_by_hash(digest)
    # looked up by hash, compared in constant time: no timing tells a near miss
    if record is None or not hmac.compare_digest(record.secret_hash, digest):
        return None
    return Principal(record.id, record.name, Role(record.role), record.secret_hash)


def authenticate(store: Store, secret: str) -> Principal | None:
    """The token's principal, or None for an unknown or revoked secret."""
    secret = secret.strip()
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return by_hash(store, hash_secret(secret))
