"""`nianbao token create|list|revoke`: API tokens for the service and the review screen."""

from __future__ import annotations

import argparse

from nianbao.cli.options import add_store_argument
from nianbao.core.errors import UserError

ROLES = ("submitter", "reviewer", "admin")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "token",
        help="create, list or revoke API tokens (sign-in for the API and the review screen)",
        description=(
            "A token signs in one person or system. Its secret is printed once, at creation; "
            "the store keeps only its hash. Roles: submitter (upload, follow jobs, read), "
            "reviewer (read, review, export), admin (everything)."
        ),
    )
    add_store_argument(p, resolved_by="service")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a token; prints its secret once")
    create.add_argument("--role", choices=ROLES, required=True)
    create.add_argument(
        "--name", required=True, help="who uses it: recorded as the reviewer of decisions"
    )
    actions.add_parser("list", help="list tokens (never their secrets)")
    revoke = actions.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nianbao.service.settings import from_env
    from nianbao.service.tokens import create_token
    from nianbao.store import StoreError, open_store

    db = from_env(db=args.db).db
    try:
        store = open_store(db)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    try:
        if args.action == "create":
            token_id, secret = create_token(store, args.name, args.role)
            print(secret)
            print(
                f"token {token_id} ({args.role}, {args.name}): keep the secret above; "
                "it is not shown again",
                flush=True,
            )
        elif args.action == "list":
            for t in store.tokens():
                state = f"revoked {t.revoked_at}" if t.revoked_at else "live"
                print(f"{t.id}\t{t.role}\t{t.name}\t{t.created_at}\t{state}")
        else:
            store.revoke_token(args.id)
            print(f"token {args.id} revoked")
    except StoreError as exc:
        raise UserError(str(exc)) from None
    finally:
        store.close()
    return 0
