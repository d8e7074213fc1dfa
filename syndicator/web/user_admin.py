"""``syndicator user add|list|remove``: the dashboard's users, from the command line
(the first admin has to come from somewhere)."""

from __future__ import annotations

import argparse
from typing import TextIO

from syndicator.engine import Engine
from syndicator.errors import ConfigError
from syndicator.store import users
from syndicator.web.security import hash_password

MIN_PASSWORD = 8


def manage_users(engine: Engine, args: argparse.Namespace, *, stdin: TextIO) -> int:
    action = args.user_action
    if action == "list":
        with engine.store.read() as connection:
            found = users.listing(connection)
        if not found:
            print(
                "no users yet; add one with: syndicator user add NAME --role admin --password-stdin"
            )
        for user in found:
            print(f"{user.name:<24} {user.role:<7} since {user.created_at:%Y-%m-%d %H:%M} UTC")
        return 0
    if action == "remove":
        with engine.store.begin() as connection:
            removed = users.remove(connection, args.name)
        print(f"{args.name}: removed" if removed else f"{args.name}: no such user")
        return 0 if removed else 1
    password = stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"user add: the password must be {MIN_PASSWORD} characters or more")
    with engine.store.begin() as connection:
        added = users.add(
            connection,
            args.name,
            role=args.role,
            password_hash=hash_password(password),
            now=engine.clock.now(),
        )
    if not added:
        print(f"{args.name}: exists (remove it first to change it)")
        return 1
    print(f"{args.name}: added as {args.role}")
    return 0
