"""checkins (工作汇报): scheduled progress check-ins in work groups, and tasks with deadlines.

A campaign (``plugins.checkins.campaigns``) opens on its schedule with a prompt in its group;
participants report by replying to it, by a message with its tag (``#周报``) or in a private
dialog; a reminder at 80 % of the window mentions who has not reported; the close posts the
summary (who reported, who did not, the rate, streaks, the owners' 👍). Holidays move or skip a
check-in; leave excuses. ``/task`` assigns work with a deadline written as people write it and
escalates it up the chain of command when it passes. See docs/checkins.md.
"""

from .hooks import (
    digest_chat_sections,
    digest_sections,
    on_button,
    on_member_change,
    on_message,
    on_reaction,
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
    "digest_chat_sections",
    "digest_sections",
    "on_button",
    "on_member_change",
    "on_message",
    "on_reaction",
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
