"""promotions: products, posts, groups, deliveries, presses, leads, orders

Revision ID: 0001_promotions
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_promotions"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("promotions",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promotions_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions_delivery")),
        sa.UniqueConstraint(
            "post_id",
            "platform",
            "chat_id",
            name=op.f("uq_promotions_delivery_post_id_platform_chat_id"),
        ),
    )
    op.create_index(
        "ix_promotions_delivery_due", "promotions_delivery", ["status", "due_at"], unique=False
    )
    op.create_table(
        "promotions_group",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("today", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(length=255), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("platform", "chat_id", name=op.f("pk_promotions_group")),
    )
    op.create_table(
        "promotions_lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=255), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions_lead")),
        sa.UniqueConstraint("post_id", "user", name=op.f("uq_promotions_lead_post_id_user")),
    )
    op.create_index(
        op.f("ix_promotions_lead_post_id"), "promotions_lead", ["post_id"], unique=False
    )
    op.create_table(
        "promotions_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=255), nullable=False),
        sa.Column("buyer", sa.String(length=255), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions_order")),
    )
    op.create_index(op.f("ix_promotions_order_buyer"), "promotions_order", ["buyer"], unique=False)
    op.create_index(
        op.f("ix_promotions_order_post_id"), "promotions_order", ["post_id"], unique=False
    )
    op.create_index(
        op.f("ix_promotions_order_product_id"), "promotions_order", ["product_id"], unique=False
    )
    op.create_table(
        "promotions_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("photo", sa.String(length=1000), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approver", sa.String(length=255), nullable=False),
        sa.Column("approver_name", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sold_out", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions_post")),
    )
    op.create_index(op.f("ix_promotions_post_author"), "promotions_post", ["author"], unique=False)
    op.create_index(
        op.f("ix_promotions_post_product_id"), "promotions_post", ["product_id"], unique=False
    )
    op.create_table(
        "promotions_press",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=255), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions_press")),
    )
    op.create_index(
        op.f("ix_promotions_press_post_id"), "promotions_press", ["post_id"], unique=False
    )
    op.create_table(
        "promotions_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("seller", sa.String(length=255), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions_product")),
    )
    op.create_index(op.f("ix_promotions_product_key"), "promotions_product", ["key"], unique=False)
    op.create_index(
        op.f("ix_promotions_product_seller"), "promotions_product", ["seller"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_promotions_product_seller"), table_name="promotions_product")
    op.drop_index(op.f("ix_promotions_product_key"), table_name="promotions_product")
    op.drop_table("promotions_product")
    op.drop_index(op.f("ix_promotions_press_post_id"), table_name="promotions_press")
    op.drop_table("promotions_press")
    op.drop_index(op.f("ix_promotions_post_product_id"), table_name="promotions_post")
    op.drop_index(op.f("ix_promotions_post_author"), table_name="promotions_post")
    op.drop_table("promotions_post")
    op.drop_index(op.f("ix_promotions_order_product_id"), table_name="promotions_order")
    op.drop_index(op.f("ix_promotions_order_post_id"), table_name="promotions_order")
    op.drop_index(op.f("ix_promotions_order_buyer"), table_name="promotions_order")
    op.drop_table("promotions_order")
    op.drop_index(op.f("ix_promotions_lead_post_id"), table_name="promotions_lead")
    op.drop_table("promotions_lead")
    op.drop_table("promotions_group")
    op.drop_index("ix_promotions_delivery_due", table_name="promotions_delivery")
    op.drop_table("promotions_delivery")
