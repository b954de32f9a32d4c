"""Who and where: the plugin's base config, departments (units of the core's ``org:``) and their
chain of parents, the chats to post in, the translator for a chat, and who may do what to a
ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qunzhu.core import Context, Org, Person, Translator

from .config import ComplaintsConfig
from .states import ACTIONS

if TYPE_CHECKING:
    from .models import Ticket

__all__ = [
    "allowed",
    "base_config",
    "chain",
    "department_chat",
    "department_name",
    "is_official",
    "may_act",
    "t_for_chat",
]


def base_config(ctx: Context) -> ComplaintsConfig:
    """The plugin's section without any chat's overrides: departments and deadlines are the
    same wherever a ticket is touched."""
    found = ctx.app.settings.plugin_config(ctx.plugin)
    return found if isinstance(found, ComplaintsConfig) else ComplaintsConfig()


def t_for_chat(ctx: Context, key: str, lang: str | None = None) -> Translator:
    """The plugin's translator in chat `key`'s language (or `lang`), else the bot's."""
    settings = ctx.app.settings
    chosen = lang or settings.chat_language(key) or settings.bot.language
    return ctx.translator(chosen)


def chain(org: Org, department: str | None) -> list[str]:
    """`department` and the units above it in the organisation, nearest first (keys)."""
    return [unit.key for unit in org.chain(department)] if department else []


def department_chat(org: Org, key: str | None) -> str | None:
    """The group chat of unit `key` (its first), if it has one."""
    unit = org.unit(key) if key else None
    return unit.chat if unit is not None else None


def department_name(org: Org, key: str | None, lang: str) -> str:
    unit = org.unit(key) if key else None
    return unit.label(lang) if unit is not None else key or ""


def is_official(person: Person, config: ComplaintsConfig) -> bool:
    """May turn messages into tickets (``filer_roles``; admins always)."""
    return person.is_admin or any(person.has_role(role) for role in config.filer_roles)


def allowed(person: Person, org: Org, ticket: Ticket, action: str) -> bool:
    """Whether `person` may do `action` (see `states`) to `ticket`."""
    if person.is_admin:
        return True
    who = ACTIONS[action].who
    if "supervisor" in who and person.has_role("supervisor"):
        return True
    if "department" in who and any(org.is_member(person, d) for d in chain(org, ticket.department)):
        return True
    return (
        "reporter" in who
        and bool(ticket.reporter_key)
        and (ticket.reporter_key in person.identities or person.id == ticket.reporter_id)
    )


def may_act(person: Person, org: Org, ticket: Ticket) -> bool:
    """Whether a department or supervisor step is open to `person` on `ticket` now."""
    return any(
        ticket.status in rule.sources
        and not rule.who <= {"reporter", "system"}
        and allowed(person, org, ticket, name)
        for name, rule in ACTIONS.items()
    )
