"""Sign-in for the API: a FastAPI dependency that turns a bearer token into a `Principal`
and enforces the endpoint's roles (401 without a valid token, 403 for the wrong role)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nianbao.service.tokens import Principal, Role, authenticate

__all__ = ["Principal", "Role", "require"]

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
