"""One-time links and sessions of the web console, kept as SHA-256 hashes of random tokens.

``/web`` makes a link (`issue_link`): 32 random bytes in the URL, their hash in
``core_web_link`` with the person and a short expiry. Opening it (`redeem_link`) marks it used in
the same ``UPDATE … WHERE used_at IS NULL`` that checks it, so it opens exactly one session even
when two tabs race; the session's random id is the cookie, its hash the row. Nothing stored here
lets anyone in: the table holds only hashes. The CSRF token of a session is derived from its id
(`csrf_of`), so forms need no second secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.storage._tables import WebLinkRow, WebSessionRow

__all__ = [
    "csrf_matches",
    "csrf_of",
    "end_sessions",
    "issue_link",
    "live_session",
    "open_session",
    "open_sessions",
    "redeem_link",
]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_of(session_id: str) -> str:
    """The CSRF token of the forms of the session whose cookie is `session_id`."""
    return hashlib.sha256(f"csrf:{session_id}".encode()).hexdigest()[:40]


def csrf_matches(session_id: str, given: str) -> bool:
    return hmac.compare_digest(csrf_of(session_id), given)


async def issue_link(s: AsyncSession, person_id: int, now: datetime, minutes: int) -> str:
    """A fresh one-time token for `person_id`, valid for `minutes`."""
    token = secrets.token_urlsafe(32)
    s.add(
        WebLinkRow(
            token_hash=_hash(token),
            person_id=person_id,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    return token


async def redeem_link(s: AsyncSession, token: str, now: datetime) -> int | None:
    """The person of a link not used and not expired, marking it used; else None."""
    key = _hash(token)
    done = await s.execute(
        update(WebLinkRow)
        .where(
            WebLinkRow.token_hash == key,
            WebLinkRow.used_at.is_(None),
            WebLinkRow.expires_at > now,
        )
        .values(used_at=now)
    )
    if getattr(done, "rowcount", 0) != 1:
        return None
    return await s.scalar(select(WebLinkRow.person_id).where(WebLinkRow.token_hash == key))


async def open_session(s: AsyncSession, person_id: int, now: datetime, hours: float) -> str:
    """A new session of `person_id`; returns the cookie's value (its id)."""
    session_id = secrets.token_urlsafe(32)
    s.add(
        WebSessionRow(
            id_hash=_hash(session_id),
            person_id=person_id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return session_id


async def live_session(s: AsyncSession, session_id: str, now: datetime) -> int | None:
    """The person of a session neither ended nor expired, else None."""
    return await s.scalar(
        select(WebSessionRow.person_id).where(
            WebSessionRow.id_hash == _hash(session_id),
            WebSessionRow.ended_at.is_(None),
            WebSessionRow.expires_at > now,
        )
    )


async def end_sessions(
    s: AsyncSession, now: datetime, *, session_id: str | None = None, person_id: int | None = None
) -> int:
    """End one session (logout) or every session of a person (an admin's decision); returns
    how many were open."""
    query = update(WebSessionRow).where(WebSessionRow.ended_at.is_(None))
    if session_id is not None:
        query = query.where(WebSessionRow.id_hash == _hash(session_id))
    if person_id is not None:
        query = query.where(WebSessionRow.person_id == person_id)
    done = await s.execute(query.values(ended_at=now))
    return int(getattr(done, "rowcount", 0) or 0)


async def open_sessions(s: AsyncSession, now: datetime) -> list[tuple[int, datetime, datetime]]:
    """(person id, started, expires) of every live session, newest first."""
    rows = await s.execute(
        select(WebSessionRow.person_id, WebSessionRow.created_at, WebSessionRow.expires_at)
        .where(WebSessionRow.ended_at.is_(None), WebSessionRow.expires_at > now)
        .order_by(WebSessionRow.created_at.desc())
    )
    return [(int(p), c, e) for p, c, e in rows.all()]
