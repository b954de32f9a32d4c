"""Writing to a person by their identity (``platform:user_id``), in their own language."""

from __future__ import annotations

from qunzhu.core import Context, Outgoing, Reply, Translator, UserRef

__all__ = ["send_to", "translator_for", "user_of"]


def user_of(identity: str, name: str = "") -> UserRef:
    platform, _, user_id = identity.partition(":")
    return UserRef(platform, user_id, name)


async def translator_for(ctx: Context, identity: str) -> Translator:
    """The plugin's catalog in the language `identity`'s person chose (else the bot's)."""
    if identity == ctx.sender.key:
        return ctx.t
    person = await ctx.app.people.find(identity)
    lang = person.lang if person is not None else None
    return ctx.app.catalogs.translator(lang or ctx.app.settings.bot.language, "promotions")


async def send_to(ctx: Context, identity: str, reply: str | Reply) -> Outgoing | None:
    """A private message to `identity`; None when no adapter serves its platform."""
    user = user_of(identity)
    if user.platform not in ctx.app.adapters:
        return None
    return await ctx.send_direct(user, reply)
