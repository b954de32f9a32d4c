"""People as an admin names them in chat: mentions (``@福州市长``), names as ``/whoami`` shows them
(separated by spaces, commas or 、), ``me``/``我``, and roles (``role:mayor``, ``角色：mayor``).

Each person found is stored as their identity on this chat's platform (names change, identities
do not); a role stays ``role:NAME``, so that whoever holds it when a check-in opens reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qunzhu.core import Context, Person, parse_role

__all__ = ["Named", "entry_names", "named_people", "role_label"]

_SPLIT = re.compile(r"[\s,，、;；]+")
_ROLE = re.compile(r"(?<![A-Za-z])role\s*[:：]\s*|角色\s*[:：]?\s*", re.I)
_ME = {"me", "我", "本人", "myself"}


@dataclass
class Named:
    """What an answer named: `entries` to store, `names` to show, `unknown` to ask about."""

    entries: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def add(self, entry: str, name: str) -> None:
        if entry not in self.entries:
            self.entries.append(entry)
            self.names.append(name)


def _key(person: Person, platform: str) -> str:
    here = [i for i in person.identities if i.startswith(f"{platform}:")]
    return (here or list(person.identities) or [person.name])[0]


async def named_people(ctx: Context, text: str, *, mentions: bool = True) -> Named:
    """The people and roles `text` (with the message's mentions, unless not wanted) names."""
    found = Named()
    platform = ctx.chat.platform
    mentioned = list(ctx.message.mentions) if ctx.message is not None and mentions else []
    tokens = [t for t in _SPLIT.split(_ROLE.sub("role:", text.strip())) if t]
    wanted: list[str] = []
    for token in tokens:
        if token.startswith("@") and mentioned:
            continue  # the platform told us who it is: taken from the mentions below
        wanted.append(token)
    for key in [*mentioned, *wanted]:
        if key.lower() in _ME:
            found.add(_key(ctx.person, platform), ctx.person.name)
        elif key.startswith("role:"):
            await _role(ctx, key.removeprefix("role:"), found)
        else:
            person = await ctx.app.people.find(key) or await ctx.app.people.find(key.lstrip("@"))
            if person is None:
                found.unknown.append(key.lstrip("@"))
            else:
                found.add(_key(person, platform), person.name)
    return found


def role_label(ctx: Context, text: str) -> str:
    """``member:housing`` → ``成员:housing`` (the role's name as the core translates it)."""
    role = parse_role(text)
    name = ctx.t.core(role.name)
    return f"{name}:{role.scope}" if role.scope else name


async def _role_names(ctx: Context, text: str) -> tuple[str, str]:
    """(the entry to store, the words to show) for a role."""
    role = parse_role(text)
    holders = await ctx.with_role(role)
    shown = ctx.t(
        "role {role} ({count} people now)", role=role_label(ctx, text), count=len(holders)
    )
    return f"role:{role}", shown


async def _role(ctx: Context, text: str, found: Named) -> None:
    if text.strip():
        found.add(*await _role_names(ctx, text))


async def entry_names(ctx: Context, entries: list[str] | tuple[str, ...]) -> list[str]:
    """The names to show for stored entries (identities, names, roles)."""
    names: list[str] = []
    for entry in entries:
        if entry.startswith("role:"):
            names.append((await _role_names(ctx, entry.removeprefix("role:")))[1])
            continue
        person = await ctx.app.people.find(entry)
        names.append(person.name if person else entry)
    return names
