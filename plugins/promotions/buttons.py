"""The data of the plugin's buttons, declared once (`ButtonData`). The wire format is the one
buttons already posted carry (``promotions:order:7``, ``promotions:ord:cancel:3``), so a post,
an approval request or an order sent before this module existed still works when pressed.

`OnPost`'s prefix, ``promotions``, begins every other family's data too: try it last (its
``unpack`` refuses data of the others with `ButtonDataError`, as their action is no `PostAction`).
"""

from __future__ import annotations

import enum

from qunzhu.core import ButtonData

__all__ = [
    "ALL_GROUPS",
    "Approve",
    "Draft",
    "OnOrder",
    "OnPost",
    "OrderStep",
    "PickGroups",
    "PostAction",
    "Reject",
    "Share",
]


class PostAction(enum.StrEnum):
    """The buttons under a post in a group; the key of its label in `render.LABELS`."""

    ORDER = "order"
    SIGNUP = "signup"
    LEAD = "lead"
    CONTACT = "contact"
    SOLD_OUT = "sold_out"


class OnPost(ButtonData, prefix="promotions"):
    """我要订购 / 我要报名 / 感兴趣 / 联系卖家 / 已售罄 under a post."""

    action: PostAction
    post: int


class Approve(ButtonData, prefix="promotions:approve"):
    """An approver's 批准 under a promotion waiting for approval."""

    post: int


class Reject(ButtonData, prefix="promotions:reject"):
    """An approver's 拒绝 under a promotion waiting for approval."""

    post: int


class Draft(ButtonData, prefix="promotions:draft"):
    """起草推介: draft a promotion of a product of the catalog."""

    product: int


class OrderStep(enum.StrEnum):
    """What a button does to an order: the seller confirms, ships or rejects; the buyer
    cancels."""

    CONFIRM = "confirm"
    SHIP = "ship"
    REJECT = "reject"
    CANCEL = "cancel"


class OnOrder(ButtonData, prefix="promotions:ord"):
    """A step of an order, in the seller's or the buyer's private chat."""

    step: OrderStep
    order: int


class PickGroups(ButtonData, prefix="promotions:pick"):
    """转发到我的群: show someone who may share a running post the groups they run."""

    post: int


#: `Share`'s chat for every group offered (全部).
ALL_GROUPS = "*"


class Share(ButtonData, prefix="promotions:share", sep="|"):
    """Share a running post to one group the presser runs (``chat``: ``platform:chat_id``,
    hence the separator), or to all of them (`ALL_GROUPS`)."""

    post: int
    chat: str
