"""greeter: welcomes people who say hello or join, and counts the visits per chat. In the group
of a unit of ``org:`` it welcomes them to that unit. Its page on the web console lists the
visits per chat."""

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import N_, Base, Command, Context, command, hookimpl
from qunzhu.core.web import Page, Template
from qunzhu.core.web import Visit as WebVisit


class GreeterConfig(BaseModel):
    """The plugin's section of the YAML file: ``plugins: {greeter: {...}}``."""

    greeting: str = "Welcome, {name}!"
    #: The greeting in the group chat of an org unit (``org: {housing: {chats: [...]}}``).
    unit_greeting: str = "Welcome to {unit}, {name}!"
    keyword: str = "hello"


class Visit(Base):
    __tablename__ = "greeter_visit"  # tables start with the plugin's name

    id: Mapped[int] = mapped_column(primary_key=True)
    chat: Mapped[str] = mapped_column(String(255), index=True)
    user: Mapped[str] = mapped_column(String(255))


@command("visits", aliases=["来访"], help=N_("How many hellos this chat has seen"))
async def visits(ctx: Context, db: AsyncSession, since_id: int = 0) -> None:
    query = select(func.count()).select_from(Visit).where(Visit.chat == ctx.chat.key)
    count = await db.scalar(query.where(Visit.id > since_id))
    await ctx.reply(ctx.t("{count} visits so far.", count=count))


@hookimpl
def register_config() -> type[BaseModel]:
    return GreeterConfig


@hookimpl
def register_commands() -> Sequence[Command]:
    return [visits]


@hookimpl
def register_models() -> Sequence[type[Base]]:
    return [Visit]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


async def visits_page(visit: WebVisit) -> Template:
    async with visit.session() as s:
        rows = await s.execute(select(Visit.chat, func.count()).group_by(Visit.chat))
    return Template("greeter/visits.html", {"title": visit.t("Visits"), "rows": rows.all()})


@hookimpl
def register_pages() -> Sequence[Page]:
    # /web/greeter, in the console's navigation for supervisors (and admins)
    templates = Path(__file__).parent / "templates"
    return [
        Page("/greeter", visits_page, title=N_("Visits"), nav=True, roles=("supervisor",),
             templates=templates)
    ]  # fmt: skip


def greeting(ctx: Context, name: str) -> str:
    config: GreeterConfig = ctx.config
    unit = ctx.org.unit_of_chat(ctx.chat.key)  # the org unit whose group this is, if any
    if unit is None:
        return config.greeting.format(name=name)
    return config.unit_greeting.format(name=name, unit=unit.label(ctx.lang))


@hookimpl
async def on_message(ctx: Context) -> None:
    config: GreeterConfig = ctx.config
    if ctx.message and config.keyword in ctx.message.text.lower():
        ctx.db.add(Visit(chat=ctx.chat.key, user=ctx.sender.key))
        await ctx.reply(greeting(ctx, ctx.person.name))


@hookimpl
async def on_member_change(ctx: Context) -> None:
    if ctx.event.change == "joined":  # type: ignore[union-attr]
        await ctx.send(greeting(ctx, ctx.event.user.name))  # type: ignore[union-attr]
