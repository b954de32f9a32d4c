"""The plugin's hooks: what it declares at start-up and how it reacts to button presses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from qunzhu.core import App, Base, Capability, Command, Context, Dialog, Feature, Job, hookimpl

from . import (
    approval,
    broadcast,
    catalog,
    export,
    fulfilment,
    groups,
    late,
    orders,
    overview,
    posts,
    progress,
    series,
    sharer_notice,
    sharing,
    stats,
    withdraw,
)
from .config import PromotionsConfig
from .models import Delivery, Group, Lead, Order, Post, Press, Product
from .presses import pressed

__all__ = [
    "on_button",
    "on_member_change",
    "on_startup",
    "register_catalogs",
    "register_commands",
    "register_config",
    "register_dialogs",
    "register_jobs",
    "register_migrations",
    "register_models",
    "register_pages",
    "register_routes",
]

if TYPE_CHECKING:
    from qunzhu.core.web import Page, RouteDef

HERE = Path(__file__).parent


@hookimpl
def register_config() -> type[BaseModel]:
    return PromotionsConfig


@hookimpl
def register_models() -> Sequence[type[Base]]:
    return [Product, Post, Group, Delivery, Press, Lead, Order]


@hookimpl
def register_migrations() -> Path:
    return HERE / "migrations" / "versions"


@hookimpl
def register_catalogs() -> Path:
    return HERE / "locale"


@hookimpl
def register_pages() -> Sequence[Page]:
    from .web_pages import PAGES

    return PAGES


@hookimpl
def register_commands() -> Sequence[Command]:
    return [
        catalog.product_command,
        catalog.products,
        posts.promote,
        posts.event_command,
        approval.pending,
        withdraw.withdraw,
        groups.promotions_command,
        overview.progress_command,
        fulfilment.orders_command,
        sharing.share_command,
        stats.stats_command,
        export.export_command,
    ]


@hookimpl
def register_dialogs() -> Sequence[Dialog]:
    return [
        catalog.PRODUCT_DIALOG,
        posts.POST_DIALOG,
        posts.EVENT_DIALOG,
        orders.ORDER_DIALOG,
        orders.SIGNUP_DIALOG,
    ]


@hookimpl
def register_jobs() -> Sequence[Job]:
    return [
        broadcast.broadcast,
        broadcast.release,
        progress.progress_job,
        series.occurrence,
        sharer_notice.sharer_notice,
    ]


@hookimpl
def register_routes() -> Sequence[RouteDef]:
    return export.routes()


@hookimpl
async def on_startup(app: App) -> None:
    await catalog.sync_products(app)
    await app.as_plugin("promotions", late.at_start_up, what="startup")


@hookimpl
async def on_member_change(ctx: Context) -> None:
    await late.bot_added(ctx)


@hookimpl
async def on_button(ctx: Context) -> None:
    press = ctx.button
    if press is None or not press.data.startswith("promotions:"):
        return
    ctx.claim()  # a press of the plugin's own button: 我要订购, an order's next step...
    await pressed(ctx, press.data)


@hookimpl
def register_features() -> Sequence[Feature]:
    """What a post's buttons do where sent messages cannot be changed (WeCom cards)."""
    return [
        Feature(
            "sold_out_everywhere",
            Capability.EDITS,
            "turns 我要订购 into 已售罄 on every copy of a post when the stock runs out",
            "sends the sold-out post anew where the old one cannot be changed (WeCom: a card "
            "clicked seconds ago is still updated), and answers a press on a sold-out post",
        ),
    ]
