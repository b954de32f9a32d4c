"""The ``plugins: {promotions: ...}`` section, and its per-group overrides under ``chats:``."""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .quantity import parse_conversions

__all__ = ["ButtonName", "ProductEntry", "PromotionsConfig", "quiet_periods"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_PERIOD = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_IDENTITY = re.compile(r"[a-z][a-z0-9_]*:\S+")

ButtonName = Literal["order", "signup", "lead", "contact"]


class ProductEntry(BaseModel):
    """A product declared in the YAML (kept in step at every start: name, price, contact...;
    the stock is set only when the product is first created, since orders change it)."""

    model_config = _FROZEN

    key: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    seller: str = Field(description="identity platform:user_id of the seller")
    seller_name: str = ""
    unit: str = Field("斤", min_length=1, max_length=16)
    #: Other units buyers count in, as so many of `unit`: ``{条: 约4.5, 箱: 20}`` (约, ~ or ≈:
    #: about). Weights (公斤, 吨, 两, 克) are known when `unit` is one.
    conversions: dict[str, float | str] = Field(default_factory=dict)
    price: float = Field(0.0, ge=0)
    stock: int = Field(0, ge=0)
    origin: str = ""
    contact: str = ""
    description: str = ""
    photos: tuple[str, ...] = ()

    @field_validator("conversions")
    @classmethod
    def _conversions(cls, value: dict[str, float | str]) -> dict[str, float | str]:
        for word, per in value.items():
            text = f"1{word}={per}" if str(per)[:1] not in "约約~～≈" else f"1{word}{per}"
            if parse_conversions(text, "斤") is None:
                message = f"{word}: {per!r} is not a number of units (write e.g. 4.5 or 约4.5)"
                raise ValueError(message)
        return value

    def stored_conversions(self) -> dict[str, dict[str, str | bool]]:
        """The conversions as the product row keeps them."""
        found: dict[str, dict[str, str | bool]] = {}
        for word, per in self.conversions.items():
            about = str(per)[:1] in "约約~～≈"
            text = f"1{word}≈{str(per)[1:]}{self.unit}" if about else f"1{word}={per}{self.unit}"
            for c in (parse_conversions(text, self.unit) or {}).values():
                found[c.unit] = {"per": str(c.per), "approx": c.approx}
        return found

    @field_validator("seller")
    @classmethod
    def _identity(cls, value: str) -> str:
        if not _IDENTITY.fullmatch(value):
            message = f"{value!r} is not an identity: write platform:id, e.g. telegram:12345"
            raise ValueError(message)
        return value


class PromotionsConfig(BaseModel):
    """Product promotion. Everything a group decides (``opt_in``, ``tags``, ``daily_cap``,
    ``quiet_hours``, ``admins``) is set per group under ``chats:``."""

    model_config = _FROZEN

    #: The group receives promotions (its admins may also say so with /promotions on).
    opt_in: bool = False
    #: The group's audience tags (buyers, tourism...): a post goes to the groups of its tags.
    tags: tuple[str, ...] = ()
    #: At most this many promotions a day in the group (the rest wait for the next day).
    daily_cap: int = Field(1, ge=0, le=100)
    #: Periods in which nothing is posted (``22:00-08:00`` spans midnight); posts wait.
    quiet_hours: tuple[str, ...] = ()
    #: How reports and statistics name the group (default: its title as the bot saw it).
    name: str = ""
    #: Identities who may change the group's promotion settings, besides bot admins.
    admins: tuple[str, ...] = ()
    #: The buttons under a product post, and under an event post.
    product_buttons: tuple[ButtonName, ...] = ("order", "lead", "contact")
    event_buttons: tuple[ButtonName, ...] = ("signup", "lead", "contact")
    #: The most posts a recurring promotion sends (a series without an end stops there).
    max_occurrences: int = Field(60, ge=1, le=1000)
    #: Minutes between the progress reports sent to the author and the approver.
    progress_minutes: float = Field(2.0, gt=0)
    #: The currency word after prices.
    currency: str = "元"
    #: The public address of the bot's web server (``web:``), for /export_orders's download links.
    export_url: str = ""
    #: The key that signs /export_orders's links (write ``${PROMOTIONS_EXPORT_SECRET}``).
    export_secret: str = Field("", repr=False)
    #: Products of the catalog, declared here (sellers may also add theirs with /product).
    products: tuple[ProductEntry, ...] = ()
    #: Who may share a running post to the groups they run with /share (besides the heads of
    #: the units of ``org:``): people with one of these roles.
    share_roles: tuple[str, ...] = ("sharer",)
    #: A sharer is told in private of the orders from the groups they shared a post to: in one
    #: message per this many minutes at most (only when orders came); not in the
    #: ``quiet_hours`` set here, for every group (those of the night wait until they end).
    sharer_notice_minutes: int = Field(30, ge=1, le=1440)
    #: A group that opts in (/promotions on) while posts are running receives them, once each.
    late_posts: bool = True
    #: ... those that went out at most this many days ago (the latest post of a running series).
    late_days: int = Field(7, ge=0, le=365)

    @field_validator("quiet_hours")
    @classmethod
    def _periods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for period in value:
            match = _PERIOD.fullmatch(period.strip())
            bad = match is None or not all(
                int(h) < 24 and int(m) < 60 for h, m in (match.groups()[:2], match.groups()[2:])
            )
            if bad:
                message = f"{period!r} is not a period: write e.g. 22:00-08:00"
                raise ValueError(message)
        return value

    @field_validator("products")
    @classmethod
    def _unique_keys(cls, value: tuple[ProductEntry, ...]) -> tuple[ProductEntry, ...]:
        keys = [p.key for p in value]
        doubles = sorted({k for k in keys if keys.count(k) > 1})
        if doubles:
            message = f"product keys must be unique: {', '.join(doubles)}"
            raise ValueError(message)
        return value


def quiet_periods(config: PromotionsConfig) -> list[tuple[time, time]]:
    """The quiet hours as (start, end) local times; an end before its start spans midnight."""
    periods = []
    for period in config.quiet_hours:
        match = _PERIOD.fullmatch(period.strip())
        assert match is not None  # validated
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        periods.append((time(h1, m1), time(h2, m2)))
    return periods
