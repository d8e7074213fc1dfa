"""The dashboard's users: a name, a role and a password hash (never the password).

Roles are ordered: a viewer sees everything and changes nothing; an editor also
approves, rejects, edits, posts and retries; an admin also manages users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from syndicator.clock import as_utc, to_naive_utc
from syndicator.store.schema import users as u

ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created_at: datetime

    def can(self, role: str) -> bool:
        """Whether this user has ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


def add(connection: Connection, name: str, *, role: str, password_hash: str, now: datetime) -> bool:
    """Add a user; False when the name is taken (nothing changes then)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    if connection.execute(select(u.c.name).where(u.c.name == name)).first() is not None:
        return False
    connection.execute(
        insert(u).values(
            name=name, role=role, password_hash=password_hash, created_at=to_naive_utc(now)
        )
    )
    return True


def set_password(connection: Connection, name: str, password_hash: str) -> bool:
    result = connection.execute(
        update(u).where(u.c.name == name).values(password_hash=password_hash)
    )
    return result.rowcount == 1


def find(connection: Connection, name: str) -> tuple[User, str] | None:
    """The user and their stored hash, or ``None``."""
    row = connection.execute(select(u).where(u.c.name == name)).first()
    if row is None:
        return None
    return _user(row), row.password_hash


def get(connection: Connection, name: str) -> User | None:
    found = find(connection, name)
    return found[0] if found else None


def listing(connection: Connection) -> list[User]:
    return [_user(r) for r in connection.execute(select(u).order_by(u.c.name))]


def remove(connection: Connection, name: str) -> bool:
    return connection.execute(delete(u).where(u.c.name == name)).rowcount == 1


def count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(u)).scalar_one())


def _user(row: object) -> User:
    created = as_utc(row.created_at)  # type: ignore[attr-defined]
    assert created is not None
    return User(name=row.name, role=row.role, created_at=created)  # type: ignore[attr-defined]
