"""Work a plugin does outside any event: at start-up, for a web request, from a command line.

`as_plugin(app, plugin, work)` gives `work` a `Context` as the scheduler gives a job (the system
chat and user, the administrator's rights, the bot's language in the plugin's catalog) and runs
it in one transaction: its rows and its messages exist together once it returns, and nothing of
it remains if it raises (the error is raised again).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from qunzhu.core.context import Context
from qunzhu.core.model._events import SYSTEM_CHAT, SYSTEM_USER, JobTick
from qunzhu.core.model._ids import new_id
from qunzhu.core.plugins import domain_of
from qunzhu.core.scheduling._scheduler import SYSTEM_PERSON

if TYPE_CHECKING:
    from qunzhu.core.app import App
    from qunzhu.core.people import Person

__all__ = ["as_plugin"]

T = TypeVar("T")


async def as_plugin(
    app: App,
    plugin: str,
    work: Callable[[Context], Awaitable[T]],
    *,
    what: str = "system",
    person: Person | None = None,
    lang: str | None = None,
) -> T:
    """Run `work` as `plugin` in a transaction of its own (`what` names it in ``ctx.event``),
    as `person` in `lang` when given (a web console's visitor), else as the system."""
    now = app.clock.now()
    tick = JobTick(f"{what}:{new_id()}", SYSTEM_CHAT, SYSTEM_USER, f"{plugin}.{what}", "", now)
    t = app.catalogs.translator(lang or app.settings.bot.language, domain_of(plugin))
    async with app.db.writing(), app.db.session() as session:
        ctx = Context(app, tick, plugin, person or SYSTEM_PERSON, t=t, db=session)
        try:
            result = await work(ctx)
            await session.commit()
        except BaseException:
            await session.rollback()
            ctx.rolled_back()
            raise
    ctx.committed()
    return result
