"""12345 hotline imports: records as JSON (one object or a list) or CSV (UTF-8 or GBK), posted
to ``POST /complaints/hotline`` with ``Authorization: Bearer <hotline.token>``, or sent to the
bot as a CSV file with the caption ``/hotline``. They get the same routing and deadlines.

A record keeps its history: its deadlines count from its 受理时间, its 办结时限 is kept, its
承办单位 routes it, a record closed at the source (已办结) is filed as resolved, and a record
already overdue is named in the supervision group at once, by the scan's own notice path.

One bad record does not sink the file: it is refused with its line and the reason, the others
are filed. A record filed before (same hotline id, or for a record without one the same
received time, phone and text) is a duplicate, also when two posts race: the ticket's unique
key decides, each record in a SAVEPOINT of its own.

No log line here carries a record's fields: a caller's name and phone stay in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qunzhu.core import ChatRef, Context, Translator, UserRef

from .config import ComplaintsConfig
from .deadlines import name_overdue
from .directory import t_for_chat
from .hotline_body import BodyError, Raw, parse_csv, parse_json
from .hotline_records import COLUMNS, Problem, Record, read_record, where
from .models import Ticket
from .tickets import file_ticket

__all__ = [
    "BodyError",
    "Imported",
    "StoreError",
    "import_records",
    "parse_csv",
    "parse_json",
    "read_body",
]


class StoreError(RuntimeError):
    """The database refused a record for another reason than a duplicate; raised without the
    database's own error, whose text would carry the record's fields (a caller's phone)."""


@dataclass(frozen=True, slots=True)
class Row:
    """A record's outcome: where it was, its hotline id (None for a hashed key), the ticket
    number (its own, or the earlier one's for a duplicate) and a reason (why it was refused,
    or why it waits for routing)."""

    where: Problem
    id: str | None = None
    number: str = ""
    reason: Problem | None = None


@dataclass(slots=True)
class Imported:
    filed: list[Row] = field(default_factory=list)
    duplicates: list[Row] = field(default_factory=list)
    refused: list[Row] = field(default_factory=list)

    def to_json(self, t: Translator) -> dict[str, object]:
        def row(r: Row) -> dict[str, object]:
            found: dict[str, object] = {"at": t(r.where[0], **r.where[1]), **r.where[1]}
            found["id"] = r.id
            if r.number:
                found["number"] = r.number
            if r.reason is not None:
                found["reason"] = t(r.reason[0], **r.reason[1])
            return found

        duplicates = [row(r) for r in self.duplicates]
        return {
            "filed": [row(r) for r in self.filed],
            "duplicates": duplicates,
            "skipped": duplicates,  # the name of `duplicates` before 2026-12
            "refused": [row(r) for r in self.refused],
        }

    def summary(self, t: Translator) -> str:
        """What the import did, for a person: filed, duplicates, and each refusal by line."""
        numbers = ", ".join(r.number for r in self.filed) or "-"
        lines = [
            t(
                "Imported {n} hotline records: {numbers}. Already imported before: {skipped}.",
                n=len(self.filed),
                numbers=numbers,
                skipped=len(self.duplicates),
            )
        ]
        if self.refused:
            lines.append(t("Not imported: {n}", n=len(self.refused)))
        lines += [_reason(t, r) for r in self.refused[:20]]
        if len(self.refused) > 20:
            lines.append(t("… and {n} more.", n=len(self.refused) - 20))
        return "\n".join(lines)


def _reason(t: Translator, row: Row) -> str:
    reason = t(row.reason[0], **row.reason[1]) if row.reason else ""
    return "· " + t("{where}: {reason}", where=t(row.where[0], **row.where[1]), reason=reason)


def read_body(body: bytes, *, csv: bool) -> list[Raw]:
    """The records of a body (raises `BodyError`)."""
    return parse_csv(body, content_column=COLUMNS["content"]) if csv else parse_json(body)


async def import_records(ctx: Context, config: ComplaintsConfig, raws: list[Raw]) -> Imported:
    """File every record that can be filed; in ``ctx``'s transaction."""
    now = ctx.now()
    done = Imported()
    seen: dict[str, str] = {}  # key → ticket number, within this body
    tickets: list[Ticket] = []
    waiting: list[tuple[str, Problem]] = []
    for raw in raws:
        at = where(raw)
        record = read_record(config, ctx.org, ctx.calendar, raw, now)
        if not isinstance(record, Record):
            done.refused.append(Row(at, reason=record))
            continue
        shown = None if record.key.startswith("#") else record.key
        known = seen.get(record.key) or await _known(ctx, record.key)
        ticket = None if known else await _file_once(ctx, record)
        if ticket is None:
            number = known or await _winner(ctx, record.key)
            if number is None:
                raise StoreError("a hotline record could not be stored")
            done.duplicates.append(Row(at, shown, number))
            continue
        seen[record.key] = ticket.number
        tickets.append(ticket)
        done.filed.append(Row(at, shown, ticket.number, record.waiting))
        if record.waiting is not None:
            waiting.append((ticket.number, record.waiting))
    await name_overdue(ctx, tickets, now)
    await _tell_supervisors(ctx, config, waiting)
    return done


async def _known(ctx: Context, key: str) -> str | None:
    """The number of the ticket filed before for this key, if any."""
    return await ctx.db.scalar(select(Ticket.number).where(Ticket.external_id == key))


async def _winner(ctx: Context, key: str) -> str | None:
    """After losing a race for `key`: the ticket the other transaction filed (visible now, as
    each statement sees what was committed before it on PostgreSQL and SQLite alike)."""
    return await ctx.db.scalar(select(Ticket.number).where(Ticket.external_id == key))


async def _file_once(ctx: Context, record: Record) -> Ticket | None:
    """File `record` in a SAVEPOINT; None when another transaction filed the same key first
    (the unique constraint on ``external_id``), with nothing of this attempt left."""
    await ctx.db.flush()
    try:
        async with ctx.db.begin_nested():
            return await file_ticket(ctx, record.report, record.given)
    except IntegrityError:
        return None  # the error (and its parameters) goes no further


async def _tell_supervisors(
    ctx: Context, config: ComplaintsConfig, waiting: list[tuple[str, Problem]]
) -> None:
    """Records that wait for routing, and why: to the supervision group, else to each
    supervisor in private. Their cards (without a phone) are in the supervision group."""
    if not waiting:
        return

    def text(t: Translator) -> str:
        head = t("12345 import: {n} records wait for routing:", n=len(waiting))
        return "\n".join(
            [head, *(f"{number}: {t(why[0], **why[1])}" for number, why in waiting[:40])]
        )

    if config.supervision_chat:
        chat = config.supervision_chat
        await ctx.send(text(t_for_chat(ctx, chat)), chat=ChatRef.parse(chat))
        return
    for person in await ctx.with_role("supervisor"):
        for identity in person.identities:
            platform, _, user_id = identity.partition(":")
            if platform in ctx.app.adapters:
                t = t_for_chat(ctx, "", person.lang)
                await ctx.send_direct(UserRef(platform, user_id, person.name), text(t))
                break
