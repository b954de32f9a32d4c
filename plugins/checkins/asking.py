"""Reports without a tag: a participant's message in the group, during the window, that reads as
a report (`reading`) is counted as theirs; one that may be is asked about once, under it
("这是您本周的汇报吗？" [是] [否]), and counted on 是.

Only a participant who has not reported in the open round is read this way (a later message does
not replace a report: the tag or a reply to the prompt does). The bot asks each person at most
once per round; the round's roster entry keeps the message asked about (``asked``), the question
(``question``, an outbox id) and the answer, so a restart changes nothing. On 是 the question
becomes the report's receipt.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from qunzhu.core import Button, Context, Message, Reply

from .buttons import IsReport
from .config import Campaign, is_cron
from .expected import reports_of
from .models import Round
from .reading import ASK, SURE, read_report
from .reports import latest_rounds, message_media, message_text, store_report

__all__ = ["answer_asked", "answer_typed", "read_untagged"]

log = logging.getLogger("checkins")


def _entry(rnd: Round, person_id: int) -> dict[str, Any] | None:
    return next((m for m in rnd.roster if int(m["id"]) == person_id), None)


def _with_entry(rnd: Round, person_id: int, **changes: Any) -> None:
    """Change the person's roster entry (a new list, so that the JSON column is written)."""
    rnd.roster = [{**m, **changes} if int(m["id"]) == person_id else m for m in rnd.roster]


def _weekly(campaign: Campaign) -> bool:
    """Whether the campaign is held once a week (its question then says "this week")."""
    schedule = campaign.schedule.upper()
    if is_cron(schedule):
        fields = schedule.split()
        return len(fields) == 5 and fields[2] == "*" and not set(fields[4]) & set("*,-/")
    days = next(
        (p[6:] for p in schedule.replace("\n", ";").split(";") if p.startswith("BYDAY=")), ""
    )
    plain = "INTERVAL" not in schedule or "INTERVAL=1;" in schedule + ";"
    return "FREQ=WEEKLY" in schedule and "," not in days and bool(days) and plain


async def read_untagged(ctx: Context, message: Message, here: Sequence[Campaign]) -> None:
    """A group message that is neither tagged nor a reply to a prompt: a report, a question, or
    nothing."""
    mine: list[tuple[Campaign, Round]] = []
    for campaign in here:
        rnd = await latest_rounds(ctx, campaign)
        if rnd is not None and rnd.state == "open" and _entry(rnd, ctx.person.id) is not None:
            mine.append((campaign, rnd))
    if len(mine) != 1:
        return  # not a participant now, or in several check-ins here: only the tag tells
    campaign, rnd = mine[0]
    entry = _entry(rnd, ctx.person.id)
    done = {r.person_id for r in await reports_of(ctx.db, [rnd.id])}
    if entry is None or ctx.person.id in done:
        return
    text = message_text(message)
    media = message_media(message)
    reading = read_report(text, media=bool(media), questions=campaign.questions)
    if reading is SURE:
        log.info("event=checkins_read_report campaign=%s person=%s", campaign.name, ctx.person.id)
        await store_report(
            ctx, rnd, campaign, text, media, source="read", event_id=message.event_id
        )
    elif reading is ASK and "asked" not in entry:
        t = ctx.t
        buttons = [
            Button(t("Yes"), data=IsReport(rnd.id, ctx.person.id, True).pack()),
            Button(t("No"), data=IsReport(rnd.id, ctx.person.id, False).pack()),
        ]
        if _weekly(campaign):
            question = t("Is this your report for this week?")
        else:
            question = t("Is this your report for {name}?", name=campaign.name)
        out = await ctx.reply(Reply(question).with_buttons(*buttons))
        _with_entry(rnd, ctx.person.id, asked=message.event_id, question=out.id)


#: What people type in reply to the question instead of pressing 是 or 否.
_YES = frozenset({"是", "是的", "对", "對", "对的", "對的", "嗯", "好", "是我的汇报", "是我的彙報",
                  "yes", "y", "ok"})  # fmt: skip
_NO = frozenset({"否", "不是", "不", "不对", "不對", "no", "n"})
_TRIM = " \t\n。.!！,，~～"


async def answer_typed(
    ctx: Context, message: Message, target: int, here: Sequence[Campaign]
) -> bool:
    """A reply to the question typed as 是 / 否 (or 对, 不是 ...) by the person it asks: the same
    as pressing the button. Whether it was one (anything else goes on as a reply)."""
    word = message_text(message).strip(_TRIM).lower()
    if word not in _YES and word not in _NO:
        return False
    for campaign in here:
        rnd = await latest_rounds(ctx, campaign)
        entry = _entry(rnd, ctx.person.id) if rnd is not None else None
        if rnd is not None and entry is not None and entry.get("question") == target:
            await answer_asked(ctx, IsReport(rnd.id, ctx.person.id, word in _YES))
            return True
    return False


async def answer_asked(ctx: Context, data: IsReport) -> None:
    """是 or 否 pressed under the question."""
    rnd = await ctx.db.get(Round, data.round)
    entry = _entry(rnd, data.person) if rnd is not None else None
    if rnd is None or entry is None or "asked" not in entry:
        return
    if ctx.person.id != data.person:
        await ctx.reply(ctx.t("Only {name} can answer this.", name=entry["name"]))
        return
    if "answer" in entry:
        return  # pressed twice
    from .campaigns import named

    campaign = await named(ctx.app, ctx.db, rnd.campaign)
    question = int(entry["question"])
    _with_entry(rnd, data.person, answer="yes" if data.yes else "no")
    if not data.yes:
        await ctx.edit(question, ctx.t("OK, it is not counted as a report."))
        return
    message = await ctx.recorded(str(entry["asked"]))
    if campaign is None or not isinstance(message, Message):
        return
    if rnd.state != "open" and not campaign.late_reports:
        await ctx.edit(
            question, ctx.t("{name} is closed: this was not recorded.", name=campaign.name)
        )
        return
    await store_report(
        ctx,
        rnd,
        campaign,
        message_text(message),
        message_media(message),
        source="read",
        event_id=message.event_id,
        question=question,
    )
