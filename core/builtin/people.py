"""``/whoami``, ``/name`` and the admins' ``/role``: people and their roles."""

from __future__ import annotations

from collections.abc import Sequence

from qunzhu.core.commands import Command, Text, command
from qunzhu.core.context import Context
from qunzhu.core.errors import UsageError
from qunzhu.core.hookspecs import hookimpl
from qunzhu.core.i18n._catalogs import N_
from qunzhu.core.people import ADMIN, Person, parse_role

from ._names import clean_name, configured_names, people_named


@command("whoami", aliases=["我是谁", "我是誰"], help=N_("Show your name, identities and roles"))
async def whoami(ctx: Context) -> None:
    p = ctx.person
    roles = ", ".join(_role_label(ctx, str(r)) for r in sorted(p.roles)) or ctx.t("none")
    await ctx.reply(
        "\n".join(
            [
                ctx.t("You are {name}.", name=p.name),
                ctx.t("Identities: {ids}", ids=", ".join(p.identities)),
                ctx.t("Roles: {roles}", roles=roles),
            ]
        )
    )


@command("name", aliases=["姓名"], help=N_("Set your real name, as colleagues should see it"))
async def set_name(ctx: Context, name: Text) -> None:
    from qunzhu.core.storage._tables import PersonRow

    row = await ctx.db.get(PersonRow, ctx.person.id)
    if row is None:
        raise UsageError(ctx.t("You are not known yet; send any message first."))
    wanted = clean_name(name)
    if not wanted:
        raise UsageError(ctx.t("A name needs letters: /name 李明"))
    others = [p for p in await people_named(ctx, wanted) if p.id != ctx.person.id]
    taken = wanted in configured_names(ctx) and wanted != row.real_name
    if taken or any(p.real_name == wanted for p in others):
        raise UsageError(
            ctx.t(
                "“{name}” is already someone else's name. Add your unit or village to tell "
                "you apart, e.g. /name {name}（水利局）",
                name=wanted,
            )
        )
    row.real_name = wanted
    ctx.after_commit(lambda: ctx.app.people.forget(ctx.person.id))
    await ctx.reply(ctx.t("Your name is now {name}.", name=row.real_name))


@command(
    "role",
    aliases=["角色"],
    role=ADMIN,
    help=N_("Give or take a role: /role add|remove <person> <role>, or /role list <person>"),
)
async def role(ctx: Context, action: str, who: str, role_name: str = "") -> None:
    action = _ACTIONS.get(action, action.lower())
    target = await _find(ctx, who)
    if action == "list":
        roles = ", ".join(_role_label(ctx, str(r)) for r in sorted(target.roles)) or ctx.t("none")
        await ctx.reply(ctx.t("{name} has the roles: {roles}", name=target.name, roles=roles))
        return
    if action not in ("add", "remove") or not role_name:
        raise UsageError(ctx.t("Usage: {usage}", usage=ctx.t("/role add|remove <person> <role>")))
    wanted = parse_role(role_name)
    label = _role_label(ctx, str(wanted))
    if action == "add":
        if await ctx.app.people.grant(ctx.db, target.id, wanted):
            text = ctx.t("{name} now has the role {role}.", name=target.name, role=label)
        else:
            text = ctx.t("{name} already had the role {role}.", name=target.name, role=label)
    elif await ctx.app.people.revoke(ctx.db, target.id, wanted):
        text = ctx.t("{name} no longer has the role {role}.", name=target.name, role=label)
    else:
        text = ctx.t("{name} did not have the role {role}.", name=target.name, role=label)
    ctx.after_commit(lambda: ctx.app.people.forget(target.id))
    await ctx.reply(text)


_ACTIONS = {
    "添加": "add",
    "增加": "add",
    "新增": "add",
    "删除": "remove",
    "刪除": "remove",
    "移除": "remove",
    "查看": "list",
    "檢視": "list",
    "列出": "list",
}


async def _find(ctx: Context, who: str) -> Person:
    """The person `who` names: an account (``telegram:123``, ``@li`` on this platform) is taken
    as it is; a name must belong to exactly one person, and to someone the config names: a name
    people chose themselves (``/name``) could be anyone's, so the admin is asked for the account."""
    people = ctx.app.people
    if ":" in who and not who.startswith("@"):
        found = await people.find(who)
    else:
        found = await people.find(f"{ctx.chat.platform}:{who.lstrip('@')}")
    if found is not None:
        return found
    named = await people_named(ctx, clean_name(who))
    if len(named) == 1 and named[0].real_name in configured_names(ctx):
        return named[0]
    if not named:
        raise UsageError(
            ctx.t(
                "I do not know anyone called “{who}”. They must write to me once, "
                "or be listed under people: in the config.",
                who=who,
            )
        )
    accounts = "\n".join(f"• {p.name}: {', '.join(p.identities)}" for p in named)
    raise UsageError(
        ctx.t(
            "“{who}” is a name people chose themselves, so I am not sure who you mean:\n"
            "{accounts}\nName the account instead, e.g. /role add {example} approver",
            who=who,
            accounts=accounts,
            example=named[0].identities[0] if named[0].identities else who,
        )
    )


def _role_label(ctx: Context, role: str) -> str:
    name, _, scope = role.partition(":")
    label = ctx.t(name)
    return f"{label}:{scope}" if scope else label


@hookimpl
def register_commands() -> Sequence[Command]:
    return [whoami, set_name, role]
