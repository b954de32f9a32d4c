"""The city benchmark's periodic and mass work: the complaints plugin at 100,000 open tickets
(overdue scan, digest, ``/tickets``), a check-in opened in 5,000 groups of 12 (against the
physical bound of sending its prompts at Telegram's 30 msg/s) and a broadcast to 5,000 groups
(against the same bound and a bare ``ctx.send`` loop)."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert

from benchmarks import overdue_scan, promotion_broadcast
from benchmarks._pipeline import NullAdapter
from qunzhu.core import ChatKind, ChatRef, Message, UserRef
from qunzhu.core.app import App, freeze_startup_heap
from qunzhu.core.config import load_config
from qunzhu.core.context import Context
from qunzhu.core.model._reply import Reply
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._tables import IdentityRow, PersonRow
from qunzhu.plugins import checkins
from qunzhu.plugins.complaints.digest import digest

__all__ = ["PHYSICAL_RATE", "broadcast", "checkin", "tickets"]

PHYSICAL_RATE = 30.0  # Telegram: about 30 messages a second for a bot, all chats together


async def settle(app: App) -> None:
    """Everything received is handled and sent (`App.settle` waits for the scheduler too,
    which these parts stop: they run the jobs themselves)."""
    await app.inbox.flush()
    await app.dispatcher.join()
    for sender in app.senders.values():
        await sender.join()


class TextAdapter(NullAdapter):
    """The null platform, keeping the last text it was given (to quote the bot's answer)."""

    last = ""

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        self.last = reply.text
        return await super().send(chat, reply)


async def tickets(n: int, units: int, url: str | None) -> list[str]:
    """The overdue scan, the digest and ``/tickets`` at `n` open tickets (SQLite: the scan
    benchmark's app)."""
    del url  # the complaints benchmark's app is on SQLite
    adapter = TextAdapter()
    app = await overdue_scan.build(units, adapter)
    await app.scheduler.stop()
    now = datetime.now(UTC)
    bureaus = units - 1 - overdue_scan.TOWNSHIPS
    await overdue_scan.add_tickets(app, overdue_scan.rows(0, n, bureaus, now, timedelta(days=6)))
    took, longest, batches = await overdue_scan.full_scan(app)
    out = [f"  overdue scan, first (all {n:,} overdue): {took:.2f} s in {batches} batches, "
           f"longest batch {longest * 1000:.0f} ms"]  # fmt: skip
    took, _, _ = await overdue_scan.full_scan(app)
    out.append(f"  overdue scan, nothing new due: {took * 1000:.1f} ms")
    started = time.perf_counter()
    await app.as_plugin("complaints", digest.handler, what="bench")
    out.append(f"  digest for {overdue_scan.SUPERVISORS} supervisors: "
               f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    await settle(app)
    intake = app.inbox.intake("bench")
    sup = UserRef("bench", "sup0", "督查0")
    for which in ("", "overdue", "open"):
        text = f"/tickets {which}".strip()
        started = time.perf_counter()
        await intake(Message(f"t{which}", ChatRef("bench", "sup0", ChatKind.DIRECT), sup, text))
        await settle(app)
        first = adapter.last.splitlines()[0] if adapter.last else "(nothing)"
        out.append(f"  {text:<17} answered in {(time.perf_counter() - started) * 1000:6.0f} ms: "
                   f"「{first}」")  # fmt: skip
    await app.stop()
    return out


# -- check-ins ---------------------------------------------------------------------------------
def _checkin_settings(groups: int, size: int, day: str) -> dict[str, Any]:
    campaigns = [
        {"name": f"周报{g}", "group": f"bench:g{g}", "owners": ["role:owner"],
         "participants": [f"居民{g * size + k}" for k in range(size)],
         "schedule": f"FREQ=WEEKLY;BYDAY={day}", "opens": "09:00", "closes": "18:00"}
        for g in range(groups)
    ]  # fmt: skip
    return {"bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
            "people": [{"name": "王部长", "identities": ["bench:owner"], "roles": ["owner"]}],
            "plugins": {"checkins": {"campaigns": campaigns}}}  # fmt: skip


async def _seed_people(app: App, people: int) -> None:
    """`people` residents known by real name (``居民N``) with a platform identity each."""
    now = datetime.now(UTC)
    async with app.db.writing(), app.db.session() as s, s.begin():
        for start in range(0, people, 10_000):
            chunk = range(start, min(people, start + 10_000))
            ids = (
                await s.scalars(
                    insert(PersonRow).returning(PersonRow.id, sort_by_parameter_order=True),
                    [{"display_name": f"居民{i}", "real_name": f"居民{i}", "lang": None,
                      "created_at": now} for i in chunk],
                )
            ).all()  # fmt: skip
            await s.execute(
                insert(IdentityRow),
                [{"person_id": pid, "platform": "bench", "user_id": f"p{i}",
                  "display_name": f"居民{i}"} for pid, i in zip(ids, chunk, strict=True)],
            )  # fmt: skip


async def checkin(groups: int, size: int, people: int) -> list[str]:
    """Open one check-in in each of `groups` groups of `size` people named by name, among
    `people` residents, each opening in its own transaction as its job runs."""
    from qunzhu.plugins.checkins.rounds import open_round
    from qunzhu.plugins.checkins.settings import campaign_zone
    from qunzhu.plugins.checkins.settings import settings as checkin_settings
    from qunzhu.plugins.checkins.windows import window_on

    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    day = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][tomorrow.weekday()]
    workdir = Path(tempfile.mkdtemp(prefix="qunzhu-bench-"))
    raw = {"database": {"url": f"sqlite+aiosqlite:///{workdir / 'b.db'}"}, "adapters": {},
           "logging": {"level": "WARNING"}, **_checkin_settings(groups, size, day)}  # fmt: skip
    path = workdir / "bench.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    ps = PluginSet.collect(load_plugins([("checkins", checkins)], entry_points_enabled=False))
    config = load_config(path, plugin_models=ps.section_models())
    loaded = time.perf_counter() - started
    adapter = NullAdapter()
    app = App.build(config, ps, adapters={"bench": adapter})
    await app.start(create_tables=True)
    freeze_startup_heap()
    ready = time.perf_counter() - started
    await app.scheduler.stop()  # the openings are run here, one after the other
    await _seed_people(app, people)
    campaigns = checkin_settings(app).campaigns
    before = adapter.count
    started = time.perf_counter()
    cpu = time.process_time()
    for campaign in campaigns:

        async def one(ctx: Context, campaign: Any = campaign) -> None:
            tz = campaign_zone(ctx.app, campaign)
            window = window_on(campaign, tz, ctx.calendar, tomorrow)
            assert window is not None
            await open_round(ctx, campaign, window)

        await app.as_plugin("checkins", one, what="bench")
    opened = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await settle(app)
    prompts = adapter.count - before
    bound = groups / PHYSICAL_RATE
    await app.stop()
    return [
        f"  start-up with {groups:,} campaigns: config {loaded:.1f} s, ready {ready:.1f} s",
        f"  opening {groups:,} check-ins of {size} (named among {people:,} people): "
        f"{opened:.1f} s ({cpu:.1f} s CPU), {prompts:,} prompts; physical bound at "
        f"{PHYSICAL_RATE:.0f} msg/s: {bound:.1f} s; ratio {opened / bound:.2f}",
    ]


async def broadcast(groups: int, url: str | None) -> list[str]:
    """A promotion approved for `groups` groups: press to the last copy handed to the (null,
    unlimited) platform, beside bare ``ctx.send`` and the physical bound."""
    base = await promotion_broadcast._baseline(url, groups, 1)  # noqa: SLF001
    promo = await promotion_broadcast._promotions(url, groups, 2)  # noqa: SLF001
    bound = groups / PHYSICAL_RATE
    return [
        f"  broadcast to {groups:,} groups: {promo['broadcast']:.2f} s for {promo['copies']:,} "
        f"messages; bare ctx.send {base['broadcast']:.2f} s (ratio "
        f"{promo['broadcast'] / base['broadcast']:.2f}); physical bound at "
        f"{PHYSICAL_RATE:.0f} msg/s {bound:.1f} s (planning is {promo['broadcast'] / bound:.1%} "
        f"of it)"
    ]
