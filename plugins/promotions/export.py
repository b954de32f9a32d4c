"""``/export_orders``: a seller's orders (and, in the XLSX, the figures per post and group) as a
spreadsheet. Chat replies carry text and photos, not files, so the bot answers with two links
to its own web server (``web.enabled``, reachable at ``export_url``), signed for that seller
and valid for 24 hours; openpyxl is imported only when an XLSX is asked for.

Each order names who shared the post to its group (转发人: the name people know them by; empty
for the broadcast's own groups) and its amount; a last row adds up the amounts of the orders
not cancelled. Buyers write the names and cities, so every text cell is made safe first
(`safe_cell`): the characters XML 1.0 forbids are removed (openpyxl refuses the whole workbook
for one of them) and a text starting as a formula gets a leading ``'`` (OWASP "CSV
injection")."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import (
    N_,
    App,
    Button,
    Context,
    Reply,
    Translator,
    UsageError,
    aware,
    command,
    safe_cell,
)

from .audience import config_for
from .models import Delivery, Order, Post, Product
from .progress import title_of
from .stats import post_figures

if TYPE_CHECKING:  # aiohttp is imported when the web server starts, not with the plugin
    from qunzhu.core.web import Request, Response, RouteDef

__all__ = ["export_command", "routes"]

PATH = "/promotions/export.{kind}"
_KINDS = ("xlsx", "csv")
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_COLUMNS = (N_("Order"), N_("Promotion"), N_("Group"), N_("Shared by"), N_("Buyer"),
            N_("Quantity"), N_("Unit"), N_("Price (yuan)"), N_("Amount (yuan)"), N_("City"),
            N_("Phone"), N_("State"), N_("Ordered at"))  # fmt: skip
_AMOUNT = _COLUMNS.index("Amount (yuan)")
_FIGURES = (N_("Promotion"), N_("Group"), N_("Delivered"), N_("Button presses"), N_("Leads"),
            N_("Orders"), N_("Quantity ordered"), N_("Orders within 24 hours"))  # fmt: skip


def _signature(secret: str, who: str, post: int, until: int) -> str:
    message = f"{who}|{post}|{until}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


@command("export_orders", aliases=["导出订单", "導出訂單"], role="seller",
         help=N_("Download your orders and figures as a spreadsheet (XLSX or CSV)"))  # fmt: skip
async def export_command(ctx: Context, post_id: int = 0) -> None:
    config = config_for(ctx.app, "")
    if not (config.export_url and config.export_secret and ctx.app.settings.web.enabled):
        raise UsageError(
            ctx.t(
                "Downloads are not set up: an administrator must turn on web: and set "
                "export_url and export_secret of the promotions plugin."
            )
        )
    until = int((ctx.now() + timedelta(hours=24)).timestamp())
    who = ctx.sender.key
    query = urlencode({"who": who, "post": post_id, "until": until, "lang": ctx.lang,
                       "sig": _signature(config.export_secret, who, post_id, until)})  # fmt: skip
    base = config.export_url.rstrip("/")
    links = [Button(kind.upper(), url=f"{base}{PATH.format(kind=kind)}?{query}") for kind in _KINDS]
    text = ctx.t("Your orders as a spreadsheet (the links work for 24 hours):")
    await ctx.reply(Reply(text).with_buttons(links))


async def _download(request: Request) -> Response:
    from qunzhu.core.web import APP_KEY, Response

    app = request.app[APP_KEY]
    kind = request.match_info["kind"]
    config = config_for(app, "")
    q = request.query
    try:
        who, post, until = q["who"], int(q["post"]), int(q["until"])
        good = hmac.compare_digest(q["sig"], _signature(config.export_secret, who, post, until))
    except (KeyError, ValueError):
        good = False
    if kind not in _KINDS or not config.export_secret or not good:
        return Response(status=403, text="this link is not valid")
    if until < app.clock.now().timestamp():
        return Response(
            status=403, text="this link has expired: ask the bot again with /export_orders"
        )
    t = app.catalogs.translator(q.get("lang") or app.settings.bot.language, "promotions")
    async with app.db.session() as s:
        orders = await _orders(s, app, who, post, t)
        if kind == "csv":
            buf = io.StringIO()
            csv.writer(buf).writerows([safe_cell(c) for c in row] for row in orders)
            body = ("\ufeff" + buf.getvalue()).encode()  # the BOM lets Excel read UTF-8
            headers = {"Content-Disposition": 'attachment; filename="orders.csv"'}
            return Response(body=body, content_type="text/csv", charset="utf-8", headers=headers)
        body = _workbook(orders, await _figures(s, who, post, t), t)
    headers = {"Content-Disposition": 'attachment; filename="orders.xlsx"'}
    return Response(body=body, content_type=_XLSX, headers=headers)


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _mine(who: str, post: int) -> Any:
    sold = Post.product_id.in_(select(Product.id).where(Product.seller == who))
    clause = or_(Post.author == who, sold)
    return clause & or_(Post.id == post, Post.series_id == post) if post else clause


async def _orders(s: AsyncSession, app: App, who: str, post: int, t: Translator) -> list[list[Any]]:
    """The header, one row per order (oldest first), and the total of those not cancelled."""
    rows = (
        await s.execute(
            select(Order, Post.title)
            .join(Post, Post.id == Order.post_id)
            .where(_mine(who, post))
            .order_by(Order.id)
        )
    ).all()
    copies = {
        (d.post_id, d.platform, d.chat_id): d
        for d in (await s.scalars(select(Delivery).where(Delivery.title != ""))).all()
    }
    sharers = await _sharer_names(app, {o.shared_by for o, _ in rows} - {""})
    out: list[list[Any]] = [[t(c) for c in _COLUMNS]]
    total = 0
    for o, title in rows:
        copy = copies.get((o.post_id, o.platform, o.chat_id))
        group = (copy.title if copy is not None else "") or o.chat_id
        shared = sharers.get(o.shared_by) or (copy.shared_name if copy is not None else "")
        at = aware(o.created_at).astimezone(app.settings.bot.tz).strftime("%Y-%m-%d %H:%M")
        out.append([o.id, title, group, shared if o.shared_by else "", o.buyer_name, o.quantity,
                    o.unit or t("people"), _yuan(o.price_fen), _yuan(o.price_fen * o.quantity),
                    o.city, o.phone, t(o.state), at])  # fmt: skip
        total += o.price_fen * o.quantity if o.state != "cancelled" else 0
    last: list[Any] = [""] * len(_COLUMNS)
    last[0], last[_AMOUNT] = t("Total (without cancelled orders)"), _yuan(total)
    out.append(last)
    return out


async def _sharer_names(app: App, identities: set[str]) -> dict[str, str]:
    """The names people know the sharers by now (the YAML's, or the one they gave with /name);
    a sharer the bot no longer knows keeps the name recorded with their share."""
    found = {}
    for identity in identities:
        person = await app.people.find(identity)
        if person is not None:
            found[identity] = person.name
    return found


async def _figures(s: AsyncSession, who: str, post: int, t: Translator) -> list[list[Any]]:
    out: list[list[Any]] = [[t(c) for c in _FIGURES]]
    for p in (await s.scalars(select(Post).where(_mine(who, post)).order_by(Post.id))).all():
        if p.repeat is not None:
            continue  # a series: its figures are those of its posts
        total, groups, names = await post_figures(s, p)
        for key, f in [(None, total), *groups.items()]:
            group = t("all groups") if key is None else names.get(key, key[1])
            name = f"#{p.id} {title_of(t, p, quote=False)}"
            out.append([name, group, f.delivered, f.presses, f.leads, f.orders, f.quantity,
                        f.within_24h])  # fmt: skip
    return out


def _workbook(orders: list[list[Any]], figures: list[list[Any]], t: Translator) -> bytes:
    from openpyxl import Workbook  # heavy: only when a spreadsheet is asked for

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("Orders")
    for row in orders:
        sheet.append([safe_cell(c) for c in row])
    stats = book.create_sheet(t("Figures"))
    for row in figures:
        stats.append([safe_cell(c) for c in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def routes() -> list[RouteDef]:
    from qunzhu.core.web import get

    return [get(PATH.replace(".{kind}", ".{kind:(xlsx|csv)}"), _download)]
