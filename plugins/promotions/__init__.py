"""promotions (产品推介): a catalog of products, promotion posts approved by an approver and
broadcast to the groups that opted in (daily caps, quiet hours, paced by the outbox), orders
and leads attributed to the group a post came from, stock that never oversells, 已售罄 on every
copy when it runs out, and per-post and per-group figures for the seller. See
docs/promotions.md."""

from .hooks import (
    on_button,
    on_member_change,
    on_startup,
    register_catalogs,
    register_commands,
    register_config,
    register_dialogs,
    register_features,
    register_jobs,
    register_migrations,
    register_models,
    register_pages,
    register_routes,
)

__all__ = [
    "on_button",
    "on_member_change",
    "on_startup",
    "register_catalogs",
    "register_commands",
    "register_config",
    "register_dialogs",
    "register_features",
    "register_jobs",
    "register_migrations",
    "register_models",
    "register_pages",
    "register_routes",
]
