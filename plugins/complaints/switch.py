"""Detection on or off per group, decided in the group: ``/detection on|off`` (``/检测 开|关``).

A busy construction group may not want "登记为问题" under its messages, a residents' group may
want them although the YAML leaves detection off: what a group decided is kept in
``complaints_detection`` (one row per chat) and wins over ``detect`` (and its ``chats:``
overrides). Without a decision the YAML holds. ``/ticket`` and ``/report`` work either way.

Who decides: the core knows no platform's group admins (Matrix moderators stay inside the
adapter, Telegram's chat administrators are never fetched), so the group's admins are the
people who run it in the organisation: the head of the unit whose group it is (``org:``), and
anyone with the role ``supervisor`` (``admin`` passes every role check). ``/detection`` alone
says whether detection is on, and who changed it when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import N_, Base, Context, UsageError, command

from .config import ComplaintsConfig
from .texts import when

__all__ = ["DetectionSwitch", "detection_command", "detection_on", "may_switch"]

_ON = {"on", "开", "開", "开启", "開啟", "打开", "打開", "启用", "啟用"}
_OFF = {"off", "关", "關", "关闭", "關閉", "停用"}


class DetectionSwitch(Base):
    """A group's own decision about detection, and who made it when."""

    __tablename__ = "complaints_detection"

    chat: Mapped[str] = mapped_column(String(300), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(200), default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


async def detection_on(ctx: Context, config: ComplaintsConfig) -> bool:
    """Whether detection is on in this chat: the group's decision, else the YAML's."""
    if ctx.chat.is_direct:
        return False
    decided = await ctx.db.get(DetectionSwitch, ctx.chat.key)
    return decided.enabled if decided is not None else config.detect


def may_switch(ctx: Context) -> bool:
    """The group's admins: supervisors (and admins), and the head of the unit it belongs to."""
    person = ctx.person
    if person.has_role("supervisor"):
        return True
    unit = ctx.org.unit_of_chat(ctx.chat.key)
    head = unit.head.strip().lstrip("@") if unit is not None and unit.head else ""
    return bool(head) and head in (*person.identities, person.real_name, person.display_name)


@command(
    "detection",
    aliases=["检测", "檢測"],
    help=N_("Problem detection in this group: /detection on or off (the group's admins)"),
)
async def detection_command(ctx: Context, state: str = "") -> None:
    if ctx.chat.is_direct:
        raise UsageError(ctx.t("Send /detection in the group where it should be on or off."))
    wanted = state.strip().casefold()
    if not wanted:
        await ctx.reply(await _status(ctx))
        return
    if wanted not in _ON | _OFF:
        raise UsageError(ctx.t("Write /detection on or /detection off."))
    if not may_switch(ctx):
        raise UsageError(
            ctx.t(
                "Only the group's admins (its unit's head, supervisors) may turn detection "
                "on or off."
            )
        )
    enabled = wanted in _ON
    decided = await ctx.db.get(DetectionSwitch, ctx.chat.key)
    if decided is None:
        decided = DetectionSwitch(chat=ctx.chat.key)
        ctx.db.add(decided)
    decided.enabled = enabled
    decided.changed_by = ctx.person.name
    decided.changed_at = ctx.now()
    if enabled:
        text = ctx.t(
            "Problem detection is on in this group: I will offer to file messages that read "
            "like problem reports."
        )
    else:
        text = ctx.t(
            "Problem detection is off in this group: no more offers to file messages. "
            "/ticket as a reply still files one."
        )
    await ctx.reply(text)


async def _status(ctx: Context) -> str:
    config: ComplaintsConfig = ctx.config
    decided = await ctx.db.get(DetectionSwitch, ctx.chat.key)
    if decided is None:
        line = (
            ctx.t("Problem detection in this group: on (as configured).")
            if config.detect
            else ctx.t("Problem detection in this group: off (as configured).")
        )
    else:
        done = {"name": decided.changed_by, "when": when(decided.changed_at, ctx.calendar.tz)}
        line = (
            ctx.t("Problem detection in this group: on (turned on by {name}, {when}).", **done)
            if decided.enabled
            else ctx.t(
                "Problem detection in this group: off (turned off by {name}, {when}).", **done
            )
        )
    return line + "\n" + ctx.t("The group's admins change it with /detection on or /detection off.")
