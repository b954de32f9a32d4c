"""Names people can trust: what ``/name`` accepts, and who a name given to ``/role`` means.

A name is what colleagues and admins go by: ``/role add 张三 approver`` gives a role to whoever
is called 张三. So a name is cleaned of what makes two different names look the same or hides
what they say (control characters, and format characters such as U+202E, the right-to-left
override that shows "张三\u202e" reversed, or zero-width spaces), and a name someone else already
has (a configured person's, or another person's chosen name) cannot be taken.
"""

from __future__ import annotations

import unicodedata

from qunzhu.core._people_directory import ids_named
from qunzhu.core.context import Context
from qunzhu.core.people import Person

__all__ = ["MAX_NAME", "clean_name", "configured_names", "people_named"]

MAX_NAME = 64
_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def clean_name(text: str) -> str:
    """`text` as a name: compatibility-normalised (full-width letters as plain ones), without
    control or format characters, spaces collapsed, at most `MAX_NAME` characters."""
    normal = unicodedata.normalize("NFKC", text)
    kept = "".join(c for c in normal if unicodedata.category(c) not in _HIDDEN)
    return " ".join(kept.split())[:MAX_NAME].strip()


def configured_names(ctx: Context) -> frozenset[str]:
    """The names the YAML's ``people:`` gives: names an admin chose, not the person."""
    return frozenset(p.name for p in ctx.app.settings.people)


async def people_named(ctx: Context, name: str, *, limit: int = 5) -> list[Person]:
    """Everyone whose real or platform display name is exactly `name` (at most `limit`)."""
    found = [await ctx.app.people.get(pid) for pid in await ids_named(ctx.db, name, limit=limit)]
    return [p for p in found if p is not None]
