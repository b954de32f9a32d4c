"""Filing on someone's behalf: much real intake is a private message to a leader, who passes it
on. An official's ``/ticket`` in private (with the resident's words, or in reply to the message
he forwarded or quoted) asks who reported it, unless the words say so ("代张大爷反映
13800001111：…", "@陈阿姨 …"): a person the bot knows (by @mention, name or identity), or a name
and a phone; or the official's own report (a button). A message he forwarded names its writer
where the platform says who it was (`Message.forwarded_from`, Telegram): the resident is the
reporter unless his words name someone else; a writer who hides their account gives only a
name, so he is asked, with that name on a button. Then whether the units may see the
reporter's name (``anonymous_default`` is offered first); the writer of an anonymous report
reaches no unit, by name or by identity.

The ticket records the real reporter, not the official; the official stays the one who filed
it (the timeline says "代为登记 · 王书记"). A reporter the bot knows and may write to is told in
private ("王书记替您登记了问题 Q-…") and follows the ticket there: told of its progress, asked
to confirm and rate like any reporter. Otherwise the official follows it in their stead. A phone
goes where every reporter's phone goes: only to the unit that handles the ticket.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, cast

from qunzhu.core import (
    N_,
    Attachment,
    ChatRef,
    Choice,
    Context,
    Dialog,
    Expect,
    Message,
    Person,
    Step,
    UsageError,
    UserRef,
)

from .detect import matcher_for
from .directory import base_config
from .models import Ticket
from .report import Report, media_of, photo_refs

__all__ = ["BEHALF_DIALOG", "forward_of", "read_words", "start_behalf", "tell_reporter"]

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
#: "代张大爷反映：…", "替陈阿姨登记 …": who, then the problem.
_FOR = re.compile(
    r"^\s*[代替帮幫]\s*(?P<who>[^\s：:，,。]{1,20}?(?:\s*[（(]?\s*[\d-]{7,13}\s*[）)]?)?)\s*"
    r"(?:反映|反應|投诉|投訴|登记|登記|报告|報告|说|說)\s*[：:，,]?\s*(?P<rest>.*)$",
    re.DOTALL,
)
_LEADING_PHONE = re.compile(
    r"^\s*[（(]?(?P<phone>1[3-9]\d{9}|0\d{2,3}-?\d{7,8})[）)]?\s*[：:，,]?\s*"
)
_NOISE = re.compile(r"[@（）()：:，,。\s]|反映人|联系人|聯繫人|电话|電話|手机|手機")
_NAME = re.compile(r"[\w·]{1,20}")
_SELF = "self"
_FORWARDED = "forwarded"


def read_words(text: str) -> tuple[str, str]:
    """(who, the problem) of "代张大爷反映 13800001111：三组路口垃圾没人处理"; ("", text) when
    the words name nobody."""
    found = _FOR.match(text)
    if found is None:
        return "", text.strip()
    who, rest = found["who"], found["rest"]
    phone = _LEADING_PHONE.match(rest)
    if phone is not None:
        who, rest = f"{who} {phone['phone']}", rest[phone.end() :]
    return who.strip(), rest.strip()


def forward_of(message: Message) -> dict[str, str] | None:
    """Who first wrote `message`, a forward of a person's words (what a resident sent the
    leader): {"name", "key", "kind"}, the key empty for a writer who hides their account;
    None for the sender's own message or a group's or a channel's post."""
    origin = message.forwarded_from
    if origin is None or not origin.is_person:
        return None
    key = origin.user.key if origin.user is not None else ""
    return {"name": origin.name[:20], "key": key, "kind": origin.kind}


async def _forwarded_reporter(ctx: Context, origin: dict[str, str]) -> dict[str, Any] | None:
    """The reporter a forward names: the person the bot knows by that identity, else the
    name and identity as the platform gave them; None when only a name is known (asked)."""
    key = origin.get("key") or ""
    if not key:
        return None
    if key == ctx.sender.key:
        return {"self": True}  # his own words, forwarded back
    person = await ctx.app.people.find(key)
    if person is not None:
        return {"name": person.name, "phone": "", "id": person.id, "key": key, "lang": person.lang}
    return {"name": origin.get("name") or "", "phone": "", "id": None, "key": key, "lang": None}


def _identity(person: Person, platform: str) -> str:
    here = [i for i in person.identities if i.startswith(f"{platform}:")]
    return (here or list(person.identities) or [""])[0]


async def _reporter(ctx: Context, text: str, mentions: tuple[str, ...] = ()) -> dict[str, Any]:
    """Who `text` (and the @mentions) names: {"name", "phone", "id", "key"} (id and key for a
    person the bot knows). Raises `UsageError` when it names nobody."""
    phone_match = _PHONE.search(text)
    phone = phone_match.group() if phone_match else ""
    name = _NOISE.sub("", _PHONE.sub("", text))
    person: Person | None = None
    for key in mentions:
        person = await ctx.app.people.find(key)
        if person is not None:
            break
    if person is None and name:
        person = await ctx.app.people.find(name) or await ctx.app.people.find(
            f"{ctx.chat.platform}:{name}"
        )
    if person is None and not _NAME.fullmatch(name) and not phone:
        raise UsageError(
            ctx.t(
                "I did not understand who it is. Write the name and phone "
                "(张大爷 13800001111), or @mention them."
            )
        )
    if person is not None:
        return {
            "name": person.name,
            "phone": phone,
            "id": person.id,
            "key": _identity(person, ctx.chat.platform),
            "lang": person.lang,
        }
    return {"name": name[:20], "phone": phone, "id": None, "key": "", "lang": None}


async def _check_reporter(ctx: Context, value: Any, answers: dict[str, Any]) -> Any:
    if value == _SELF:
        return {"self": True}
    if value == _FORWARDED and answers.get("forwarded_name"):  # the name is all there is
        name = str(answers["forwarded_name"])
        return {"name": name, "phone": "", "id": None, "key": "", "lang": None}
    mentions = ctx.message.mentions if isinstance(ctx.message, Message) else ()
    return await _reporter(ctx, str(value), tuple(mentions))


async def start_behalf(
    ctx: Context,
    original: Message | None,
    text: str,
    initial: dict[str, object],
    *,
    chat: ChatRef | None = None,
) -> None:
    """An official's ``/ticket`` in private: the dialog that asks what the words do not say.
    In reply to a message (the resident's, forwarded or quoted), that message is the problem
    and the words after ``/ticket`` name the reporter ("/ticket 张大爷 13800001111"); without
    one, the words are the problem and may begin with the reporter ("代张大爷反映：…").
    `initial`: what is already known (the photos sent just before, their caption; the group
    of a group message, `group_forward`); `chat`: where to ask (default: this chat)."""
    message = ctx.message
    answers: dict[str, object] = dict(initial)
    kept_origin = answers.pop("forwarded_from", None)  # of the photos kept before (`media`)
    origin = forward_of(original) if original is not None else kept_origin
    if original is not None:
        who, description = read_words(original.text)
        if text.strip():
            who = read_words(text)[0] or text.strip()
    else:
        who, description = read_words(text or str(initial.get("description") or ""))
        if message is not None and message.mentions and description.startswith("@"):
            description = description.partition(" ")[2].strip()  # "@陈阿姨 …": named below
    if description:
        answers["description"] = description
    if original is not None:  # the forwarded photos, once (they may be waiting already)
        kept = cast("tuple[Attachment, ...]", answers.get("photo") or ())
        refs = {a.ref for a in kept}
        answers["photo"] = (*kept, *(a for a in media_of(original) if a.ref not in refs))
    source = original or message
    answers["source_event"] = source.event_id if source is not None else ""
    mentions = tuple(message.mentions) if message is not None else ()
    if who or mentions:
        answers["reporter"] = await _reporter(ctx, who, mentions)
    elif isinstance(origin, dict):
        found = await _forwarded_reporter(ctx, origin)
        if found is not None:
            answers["reporter"] = found
        elif origin.get("name"):
            answers["forwarded_name"] = origin["name"]  # asked, with the name on a button
    await ctx.start_dialog("behalf", chat=chat, initial=answers)


def _who_question(ctx: Context, answers: dict[str, Any]) -> str:
    if answers.get("forwarded_name"):
        return ctx.t(
            "It was forwarded from {name}, who hides their account, so I cannot tell who that "
            "is. Press the name if that is all I should keep, or write their name and phone "
            "(张大爷 13800001111) or @mention them. If you found it yourself, press the button.",
            name=answers["forwarded_name"],
        )
    return ctx.t(
        "Who reported it to you? Write their name and phone (张大爷 13800001111) or @mention "
        "them. If you found it yourself, press the button."
    )


def _who_choices(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    named = answers.get("forwarded_name")
    mine = Choice(N_("I found it myself"), _SELF)
    return [Choice(str(named), _FORWARDED), mine] if named else [mine]


def _anonymity(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    named = Choice(N_("Units may see the name"), "named")
    anonymous = Choice(N_("Anonymous to units"), "anonymous")
    return [anonymous, named] if base_config(ctx).anonymous_default else [named, anonymous]


def _anonymity_question(ctx: Context, answers: dict[str, Any]) -> str:
    who = answers.get("reporter") or {}
    return ctx.t(
        "Filed for {name}. May the unit that handles it see the name (and phone)?",
        name=who.get("name") or who.get("phone") or "-",
    )


def _is_someone(answers: dict[str, Any]) -> bool:
    who = answers.get("reporter")
    return isinstance(who, dict) and not who.get("self")


async def _done(ctx: Context, answers: dict[str, Any]) -> None:
    from .group_forward import already_filed, from_group, settle_group
    from .intake import submit

    config = base_config(ctx)
    description = str(answers.get("description") or "")
    media = tuple(answers.get("photo") or ())
    report = Report(
        description=description,
        category=matcher_for(config).category(description) or "",
        source="command",
        photos=photo_refs(ctx.chat.platform, media),
        reporter_id=ctx.person.id,
        reporter_key=ctx.sender.key,
        reporter_name=ctx.person.name,
        reporter_lang=ctx.lang,
        source_chat=ctx.chat.key,
        source_kind=ctx.chat.kind.value,
        source_event=str(answers.get("source_event") or ""),
    )
    if _is_someone(answers):
        who: dict[str, Any] = answers["reporter"]
        report = replace(
            report,
            reporter_id=who.get("id"),
            reporter_key=who.get("key") or "",
            reporter_name=who.get("name") or "",
            reporter_lang=who.get("lang"),
            phone=who.get("phone") or "",
            anonymous=answers.get("anonymous") == "anonymous",
            reply_chat=await _private_chat(ctx, who),
            extra={"filed_by": ctx.person.name, "filed_by_key": ctx.sender.key},
        )
        if not report.reply_chat:  # nobody to tell: the official follows it instead
            report = replace(report, reporter_key="")
    report = from_group(report, answers)  # a group message, asked about here
    if (number := await already_filed(ctx, report)) is not None:
        await ctx.reply(ctx.t("Already filed as {number}.", number=number))
        return
    ticket = await submit(ctx, report)
    if ticket is not None:
        await settle_group(ctx, report, ticket)


async def _private_chat(ctx: Context, who: dict[str, Any]) -> str:
    """The reporter's private chat with the bot, when the bot may write there ("" if not)."""
    platform, _, user_id = str(who.get("key") or "").partition(":")
    if not user_id:
        return ""
    user = UserRef(platform, user_id, str(who.get("name") or user_id))
    if not await ctx.can_write_privately(user):
        return ""
    chat = await ctx.app.direct_chat(user)
    return chat.key


async def tell_reporter(ctx: Context, ticket: Ticket, report: Report) -> None:
    """After filing on someone's behalf: tell the reporter (or the official why not)."""
    filed_by = str(report.extra.get("filed_by") or "")
    if not filed_by:
        return
    if report.reply_chat:
        from .directory import t_for_chat

        t = t_for_chat(ctx, report.reply_chat, report.reporter_lang)
        text = t(
            "{official} filed your problem as {number}: {text}\nYou will hear of its progress "
            "here, and be asked to confirm when it is solved.",
            official=filed_by,
            number=ticket.number,
            text=ticket.description[:200],
        )
        await ctx.send(text, chat=ChatRef.parse(report.reply_chat, "direct"))
        return
    await ctx.send(
        ctx.t(
            "I cannot write to {name} privately, so you will hear of the progress of {number} "
            "in their stead.",
            name=report.reporter_name or report.phone or "-",
            number=ticket.number,
        )
    )


BEHALF_DIALOG = Dialog(
    "behalf",
    (
        Step(
            "description",
            N_("What is the problem? Describe it in a few words."),
            when=lambda a: not a.get("description"),
        ),
        Step(
            "reporter",
            _who_question,
            Expect.TEXT,
            _who_choices,
            validate=_check_reporter,
            when=lambda a: "reporter" not in a,
        ),
        Step("anonymous", _anonymity_question, Expect.CHOICE, _anonymity, when=_is_someone),
    ),
    on_done=_done,
    gather="photo",
)
