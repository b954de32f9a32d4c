"""The promotion plugin's tables: products, posts, the groups they go to, and what buyers did.

Quantities are whole units of the product's unit (斤, 箱...); prices are in fen (1/100 yuan), so
no floating point or Decimal ever reaches the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base

__all__ = ["Delivery", "Group", "Lead", "Order", "Post", "Press", "Product"]

_BigId = BigInteger().with_variant(Integer(), "sqlite")


class Product(Base):
    """A product in the catalog (from the YAML `products:` or a seller's /product dialog)."""

    __tablename__ = "promotions_product"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The YAML key of a product declared in the config ("" for products entered in chat).
    key: Mapped[str] = mapped_column(String(64), default="", index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    unit: Mapped[str] = mapped_column(String(16), default="斤")
    #: Other units buyers count in, as so many of `unit` ("三百条" of a product by the 斤):
    #: ``{"条": {"per": "4.5", "approx": true}}``; weights (公斤, 吨...) need none.
    conversions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    price_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: Units still available; never negative (reserved with a conditional UPDATE).
    stock: Mapped[int] = mapped_column(BigInteger, default=0)
    origin: Mapped[str] = mapped_column(String(200), default="")
    #: What 联系卖家 shows (a phone, a WeChat id); "" keeps the seller's contact private.
    contact: Mapped[str] = mapped_column(String(200), default="")
    #: The seller's identity (``platform:user_id``): orders and leads reach this private chat.
    seller: Mapped[str] = mapped_column(String(255), index=True)
    seller_name: Mapped[str] = mapped_column(String(200), default="")
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Post(Base):
    """A promotion: a product (or none, for an event) + text + photo + buttons, sent to groups."""

    __tablename__ = "promotions_post"
    __table_args__ = (Index("ux_promotions_post_series", "series_id", "occurrence", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "product" (order button, stock) or "event" (sign-up button, no stock).
    kind: Mapped[str] = mapped_column(String(16), default="product")
    product_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(String(4000), default="")
    photo: Mapped[str | None] = mapped_column(String(1000), default=None)
    contact: Mapped[str] = mapped_column(String(200), default="")
    #: Who drafted it (identity ``platform:user_id``): progress reports and stats go there.
    author: Mapped[str] = mapped_column(String(255), index=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: pending (approval) → scheduled → sending → published | failed; or rejected, cancelled.
    #: A series: pending → scheduled (repeating) → ended (see end_reason); or rejected,
    #: cancelled. (A draft is the /promote dialog, kept until it is answered or times out.)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    send_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    approver: Mapped[str] = mapped_column(String(255), default="")
    approver_name: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    sold_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: "The next free slot": approval picks the earliest time every target group can take it.
    free_slot: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A recurring post (a series): how it repeats (`recurrence.Repeat`); its posts are rows of
    #: their own (``series_id``), each a broadcast with its deliveries and figures.
    repeat: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: A series: when its next post goes out.
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: A series that ended: finished, sold_out, limit (``max_occurrences``) or withdrawn.
    end_reason: Mapped[str] = mapped_column(String(16), default="")
    #: A post of a series: the series, and which of its dates (1 = the first) this post is.
    series_id: Mapped[int | None] = mapped_column(Integer, default=None)
    occurrence: Mapped[int] = mapped_column(Integer, default=0)


class Group(Base):
    """A group's own promotion settings (set by its admins with /promotions) and today's count."""

    __tablename__ = "promotions_group"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    #: None: as the config says (``opt_in``); True/False: as the group's admin set it.
    opted_in: Mapped[bool | None] = mapped_column(Boolean, default=None)
    #: Tags the group's admin added with /promotions tags (on top of the config's).
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The local day (YYYY-MM-DD) `today` counts promotions for.
    day: Mapped[str] = mapped_column(String(10), default="")
    today: Mapped[int] = mapped_column(Integer, default=0)
    changed_by: Mapped[str] = mapped_column(String(255), default="")
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class Delivery(Base):
    """One post to one group: waiting (quiet hours, daily cap), queued in the outbox, skipped."""

    __tablename__ = "promotions_delivery"
    __table_args__ = (
        UniqueConstraint("post_id", "platform", "chat_id"),
        Index("ix_promotions_delivery_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200), default="")
    lang: Mapped[str] = mapped_column(String(16), default="zh_Hans")
    #: waiting (for due_at) | queued (in the outbox: see outbox_id) | skipped (see reason)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Why it waits or was skipped: quiet_hours, daily_cap, opted_out, removed, sold_out.
    reason: Mapped[str] = mapped_column(String(32), default="")
    #: The core outbox row of the copy in the group: its delivery status, and ctx.edit's target.
    outbox_id: Mapped[int | None] = mapped_column(_BigId, default=None)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: How the copy came to the group: "" (the broadcast), "share" (someone who runs the group
    #: passed it on: `shared_by`) or "late" (the group opted in while the post was running).
    via: Mapped[str] = mapped_column(String(16), default="")
    #: Who shared it to this group (identity ``platform:user_id``) and their name.
    shared_by: Mapped[str] = mapped_column(String(255), default="")
    shared_name: Mapped[str] = mapped_column(String(200), default="")


class Press(Base):
    """A button pressed under a post in a group (every press: the "button presses" figure)."""

    __tablename__ = "promotions_press"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    post_id: Mapped[int] = mapped_column(Integer, index=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(255))
    user: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Lead(Base):
    """Someone pressed 感兴趣: counted once per person and post."""

    __tablename__ = "promotions_lead"
    __table_args__ = (UniqueConstraint("post_id", "user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(Integer, index=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(255))
    user: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Order(Base):
    """An order (or an event sign-up), kept with the post and the group it came from."""

    __tablename__ = "promotions_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(Integer, index=True)
    product_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    #: The group whose copy of the post the buyer pressed.
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(255))
    buyer: Mapped[str] = mapped_column(String(255), index=True)
    buyer_name: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(16), default="")
    price_fen: Mapped[int] = mapped_column(Integer, default=0)
    city: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    #: new → confirmed → shipped; or cancelled (stock returned).
    state: Mapped[str] = mapped_column(String(16), default="new")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Who shared the post to the group the order came from ("" for the broadcast's groups).
    shared_by: Mapped[str] = mapped_column(String(255), default="", index=True)
    #: When the sharer was told of the order (`sharer_notice`: in a batch); None: not yet.
    sharer_told_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
