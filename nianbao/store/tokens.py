"""API tokens: who may use the HTTP service, in which role. Only a hash of each secret is kept."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.store.db import Database, Row
from nianbao.store.migrations import now
from nianbao.store.types import StoreError, UnknownReport

ROLES = ("submitter", "reviewer", "admin")


@dataclass(frozen=True)
class TokenRecord:
    id: int
    name: str  # recorded as the reviewer of every decision made with this token
    role: str
    secret_hash: str
    created_at: str
    revoked_at: str | None


def _token(row: Row) -> TokenRecord:
    return TokenRecord(**{k: row[k] for k in TokenRecord.__dataclass_fields__})


class TokenBook:
    """Tokens; mixed into `Store`. The secret itself never reaches the store."""

    db: Database

    def add_token(self, name: str, role: str, secret_hash: str) -> int:
        """Record a token by the hash of its secret; returns its id."""
        name = " ".join(name.split())
        if not name:
            raise StoreError("a token needs a name (the person or system that uses it)")
        if role not in ROLES:
            raise StoreError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
        with self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO api_tokens (name, role, secret_hash, created_at)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                (name, role, secret_hash, now()),
            ).fetchone()
            return int(row[0])

    def token_by_hash(self, secret_hash: str) -> TokenRecord | None:
        """The live (not revoked) token whose secret hashes to `secret_hash`."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT * FROM api_tokens WHERE secret_hash = ? AND revoked_at IS NULL",
                (secret_hash,),
            ).fetchone()
        return None if row is None else _token(row)

    def tokens(self) -> list[TokenRecord]:
        with self.db.reading() as conn:
            return [_token(r) for r in conn.execute("SELECT * FROM api_tokens ORDER BY id")]

    def revoke_token(self, token_id: int) -> None:
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now(), token_id),
            )
            if cur.rowcount == 0:
                raise UnknownReport(f"no live token {token_id}")
