"""``promotion_broadcast``: what the promotions plugin costs on top of the core, in one run.

Story 3.3: 2,000,000 斤 must be sold fast, so a post goes to hundreds of groups at once and the
orders come in bursts. Two figures, each against a baseline measured in the same run on the same
kind of app (a platform that accepts every message at once and no rate limits, so that the
figures are the bot's own work, not the platform's pacing, which `benchmarks.fanout` measures):

* broadcast: from the approver's press to the last of N copies handed to the platform (the
  plugin finds the groups, writes a delivery per group, counts each group's daily cap, renders
  the post in each group's language, queues the copies), against a plugin that queues the same
  N messages with ``ctx.send`` and nothing else;
* order burst: M buyers confirm their orders at the same moment, for twice what the stock holds
  (half are told it is sold out; the last success edits every copy to 已售罄), against M people
  answering the last step of a bare dialog that writes a row and answers (the core's own
  dialog path, which every confirmation takes).

    python -m benchmarks.promotion_broadcast [--groups 500] [--orders 200] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from benchmarks._pipeline import BenchRow, NullAdapter, build
from qunzhu.core import (
    ButtonPress,
    ChatKind,
    ChatRef,
    Choice,
    Context,
    Dialog,
    Event,
    Expect,
    Message,
    Step,
    UserRef,
    command,
    hookimpl,
)
from qunzhu.core.app import App
from qunzhu.core.delivery._outbox import progress
from qunzhu.plugins import promotions
from qunzhu.plugins.promotions.models import Order, Post, Product

SELLER = UserRef("bench", "seller", "张老板")
APPROVER = UserRef("bench", "approver", "王科长")
POST = "【通山鮰鱼】4-5斤一条，鲜活直发\n产地：湖北通山\n价格：12.5 元/斤"


class EditingAdapter(NullAdapter):
    """The null platform, which also accepts edits (已售罄 on every copy)."""

    def __init__(self) -> None:
        super().__init__()
        self.edits = 0

    async def edit(self, chat: ChatRef, message_id: str, reply: Any) -> None:
        self.edits += 1


class Baseline:
    """The same traffic without the plugin's work: a broadcast that only sends, and presses
    that only write a row and answer."""

    def __init__(self, groups: int) -> None:
        self.groups = groups

    @hookimpl
    def register_models(self) -> Sequence[Any]:
        return [BenchRow]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("blast")
        async def blast(ctx: Context) -> None:
            for i in range(self.groups):
                chat = ChatRef("bench", f"g{i:04d}", ChatKind.GROUP)
                await ctx.send(POST, chat=chat, batch="baseline")

        @command("buy")
        async def buy(ctx: Context) -> None:
            await ctx.start_dialog("buy")

        return [blast, buy]

    @hookimpl
    def register_dialogs(self) -> Sequence[Any]:
        async def done(ctx: Context, answers: dict[str, Any]) -> None:
            ctx.db.add(BenchRow(chat=ctx.chat.chat_id, text="order"))
            await ctx.send("谢谢！订单已提交")

        step = Step("confirm", "确认下单吗？", Expect.CHOICE, choices=[Choice("确认下单", "yes")])
        return [Dialog("buy", (step,), on_done=done)]


def _settings(groups: int) -> dict[str, Any]:
    return {
        "bot": {"language": "zh_Hans"},
        "people": [
            {"name": "张老板", "identities": ["bench:seller"], "roles": ["seller"]},
            {"name": "王科长", "identities": ["bench:approver"], "roles": ["approver"]},
        ],
        "chats": {
            f"bench:g{i:04d}": {"plugins": {"promotions": {"opt_in": True, "tags": ["buyers"]}}}
            for i in range(groups)
        },
    }


async def _feed(app: App, events: list[Event]) -> float:
    """Hand `events` to the bot at once; seconds until everything they caused is sent."""
    started = time.perf_counter()
    intake = app.inbox.intake("bench")
    await asyncio.gather(*(intake(e) for e in events))
    await app.settle()
    return time.perf_counter() - started


_ids = iter(range(1, 10**9))


def _press(user: UserRef, chat: ChatRef, data: str) -> ButtonPress:
    return ButtonPress(f"p{next(_ids)}", chat, user, "m", data)


def _say(user: UserRef, text: str) -> Message:
    return Message(f"m{next(_ids)}", ChatRef("bench", user.user_id, ChatKind.DIRECT), user, text)


async def _promotions(url: str | None, groups: int, orders: int) -> dict[str, Any]:
    adapter = EditingAdapter()
    app, _ = await build(url, adapter, [("promotions", promotions)], **_settings(groups))
    try:
        now = app.clock.now()
        async with app.db.session() as s, s.begin():
            s.add(Product(name="通山鮰鱼", unit="斤", price_fen=1250, stock=orders // 2 * 500,
                          origin="湖北通山", seller="bench:seller", seller_name="张老板",
                          photos=["catfish.jpg"], created_at=now))  # fmt: skip
            s.add(Post(kind="product", product_id=1, title="通山鮰鱼", text="4-5斤一条，鲜活直发",
                       photo="catfish.jpg", author="bench:seller", author_name="张老板",
                       tags=["buyers"], state="pending", send_at=now, created_at=now))  # fmt: skip
        before = adapter.count
        dm = ChatRef("bench", APPROVER.user_id, ChatKind.DIRECT)
        broadcast = await _feed(app, [_press(APPROVER, dm, "promotions:approve:1")])
        copies = adapter.count - before
        buyers = [UserRef("bench", f"buyer{i}", f"买家{i}") for i in range(orders)]
        for i, b in enumerate(buyers):  # each buyer up to the confirm step (not timed)
            group = ChatRef("bench", f"g{i % groups:04d}", ChatKind.GROUP)
            await _feed(app, [_press(b, group, "promotions:order:1")])
            for answer in ("500斤", "武汉", "13800138000"):
                await _feed(app, [_say(b, answer)])
        burst = await _feed(
            app,
            [_press(b, ChatRef("bench", b.user_id, ChatKind.DIRECT), "dlg:c:0") for b in buyers],
        )
        async with app.db.session() as s:
            placed = int(await s.scalar(select(func.count()).select_from(Order)) or 0)
            left = int(await s.scalar(select(Product.stock)) or 0)
        state = await progress(app.db, "promotions:1")
        return {"broadcast": broadcast, "copies": copies, "burst": burst, "orders": placed,
                "stock": left, "edits": adapter.edits, "sent": state.sent}  # fmt: skip
    finally:
        await app.stop()


async def _baseline(url: str | None, groups: int, orders: int) -> dict[str, Any]:
    adapter = NullAdapter()
    app, _ = await build(url, adapter, [("baseline", Baseline(groups))])
    try:
        admin = UserRef("bench", "admin", "admin")
        before = adapter.count
        broadcast = await _feed(app, [_say(admin, "/blast")])
        copies = adapter.count - before
        buyers = [UserRef("bench", f"buyer{i}", f"买家{i}") for i in range(orders)]
        burst = await _feed(
            app,
            [
                _press(b, ChatRef("bench", b.user_id, ChatKind.DIRECT), "bench:order")
                for b in buyers
            ],
        )
        return {"broadcast": broadcast, "copies": copies, "burst": burst}
    finally:
        await app.stop()


async def main(groups: int, orders: int, url: str | None = None) -> None:
    base = await _baseline(url, groups, orders)
    promo = await _promotions(url, groups, orders)
    where = "PostgreSQL" if url else "SQLite"
    ratio = promo["broadcast"] / base["broadcast"]
    print(f"promotion_broadcast: {groups:,} groups, {orders:,} orders at once, {where}")
    print(
        f"  broadcast: promotions {promo['broadcast']:.3f} s for {promo['copies']:,} messages "
        f"({promo['sent']:,} copies in groups; press to last copy), bare ctx.send "
        f"{base['broadcast']:.3f} s for {base['copies']:,}: ratio {ratio:.2f}"
    )
    print(
        f"  order burst: promotions {promo['burst']:.3f} s ({promo['orders']:,} orders placed, "
        f"stock left {promo['stock']:,}, the others told it is sold out, {promo['edits']:,} "
        f"copies edited to 已售罄), "
        f"a bare dialog answer+row+reply {base['burst']:.3f} s: ratio "
        f"{promo['burst'] / base['burst']:.2f}"
    )
    print(
        f"  per group: {1000 * promo['broadcast'] / groups:.2f} ms; per order: "
        f"{1000 * promo['burst'] / max(orders, 1):.2f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--pg", default=None, help="postgresql+asyncpg://... (default: SQLite)")
    args = parser.parse_args()
    asyncio.run(main(args.groups, args.orders, args.pg))
