"""Possible duplicates: a ticket of the same category within ``duplicate_radius_m`` metres and
``duplicate_days`` days, still open or awaiting its reporter. Joining one ("me too") raises its
count and makes the new reporter a follower. Two reports not yet filed are `alike` by the same
measure, or when raised in the same group (the problem desk shows them as one)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select

from qunzhu.core import Button, Context, Reply

from .buttons import MeToo, NewProblem
from .cards import refresh_card
from .config import ComplaintsConfig
from .directory import department_name
from .models import Follower, Ticket
from .report import Report
from .states import OPEN, Status
from .texts import category_name
from .tickets import record

__all__ = ["alike", "candidates", "distance_m", "join"]

_EARTH_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def alike(config: ComplaintsConfig, a: Report, a_at: datetime, b: Report, b_at: datetime) -> bool:
    """Whether two reports are likely the same problem: the same category, raised within
    ``duplicate_days`` of each other, in the same group or within ``duplicate_radius_m``."""
    if a.category != b.category or abs(a_at - b_at) > timedelta(days=config.duplicate_days):
        return False
    if a.source_kind == "group" and a.source_chat and a.source_chat == b.source_chat:
        return True
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return False
    return distance_m(a.latitude, a.longitude, b.latitude, b.longitude) <= (
        config.duplicate_radius_m
    )


async def candidates(ctx: Context, config: ComplaintsConfig, report: Report) -> list[Ticket]:
    """Up to three tickets `report` may repeat, nearest first (none without a position)."""
    if report.latitude is None or report.longitude is None:
        return []
    lat, lon = report.latitude, report.longitude
    radius = config.duplicate_radius_m
    dlat = radius / 111_000.0
    dlon = radius / (111_000.0 * max(0.01, math.cos(math.radians(lat))))
    since = ctx.now() - timedelta(days=config.duplicate_days)
    rows = (
        await ctx.db.scalars(
            select(Ticket).where(
                Ticket.category == report.category,
                Ticket.created_at >= since,
                Ticket.status.in_([*OPEN, Status.RESOLVED]),
                Ticket.latitude.between(lat - dlat, lat + dlat),
                Ticket.longitude.between(lon - dlon, lon + dlon),
            )
        )
    ).all()
    near = [
        (distance_m(lat, lon, t.latitude, t.longitude), t)
        for t in rows
        if t.latitude is not None and t.longitude is not None
    ]
    return [t for d, t in sorted(near, key=lambda x: x[0]) if d <= radius][:3]


def describe(ctx: Context, config: ComplaintsConfig, ticket: Ticket) -> str:
    lang = ctx.lang
    dept = department_name(ctx.org, ticket.department, lang) or ctx.t("not routed")
    text = ticket.description if len(ticket.description) <= 40 else ticket.description[:39] + "…"
    return f"{ticket.number} · {category_name(config, ticket.category, lang)} · {dept}\n{text}"


async def join(
    ctx: Context, config: ComplaintsConfig, ticket: Ticket, report: Report, *, refresh: bool = True
) -> bool:
    """Add `report`'s author to `ticket` ("me too"); False when they already follow it.
    `refresh=False`: the caller refreshes the card once, after several joined."""
    follower = report.follower()
    if follower is not None:
        key, chat, kind, thread = follower
        known = await ctx.db.scalar(
            select(Follower.id).where(Follower.ticket_id == ticket.id, Follower.user_key == key)
        )
        if known is not None:
            return False
        ctx.db.add(
            Follower(
                ticket_id=ticket.id,
                user_key=key,
                person_id=report.reporter_id,
                kind="metoo",
                chat=chat,
                chat_kind=kind,
                reply_to=thread,
                lang=report.reporter_lang,
            )
        )
    ticket.metoo += 1
    ticket.updated_at = ctx.now()
    record(
        ctx,
        ticket,
        "metoo",
        before=ticket.status,
        note=report.description[:200],
        anonymous=report.anonymous,
    )
    if refresh:
        await refresh_card(ctx, config, ticket)
    return True


def offer_reply(
    ctx: Context, config: ComplaintsConfig, pending_id: int, found: list[Ticket]
) -> Reply:
    """The question "is it one of these?" with a "me too" button per candidate."""
    lines = [ctx.t("A similar problem was reported nearby in the last days:")]
    lines += [describe(ctx, config, t) for t in found]
    lines.append(ctx.t("Is yours the same? Join it, and you will hear of its progress."))
    rows = [
        [
            Button(
                ctx.t("Me too: {number}", number=t.number),
                data=MeToo(pending_id, t.id).pack(),
            )
        ]
        for t in found
    ]
    rows.append([Button(ctx.t("No, a new problem"), data=NewProblem(pending_id).pack())])
    return Reply("\n".join(lines)).with_buttons(*rows)
