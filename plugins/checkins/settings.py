"""The plugin's validated settings as the running app holds them, and the chats, timezones and
languages they name."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from qunzhu.core import App, ChatRef, Person, Translator

from .config import Campaign, CheckinsConfig

__all__ = ["NAME", "campaign_zone", "chat_of", "group_t", "person_t", "settings"]

NAME = "checkins"


def settings(app: App) -> CheckinsConfig:
    """The plugin's section (the base one: campaigns are not overridden per chat)."""
    found = app.settings.plugin_config(NAME)
    return found if isinstance(found, CheckinsConfig) else CheckinsConfig()


def chat_of(key: str, kind: str = "group") -> ChatRef:
    """``telegram:-100123`` → the chat, titled with its id."""
    return ChatRef.parse(key, kind, title=key.partition(":")[2])


def campaign_zone(app: App, campaign: Campaign) -> ZoneInfo:
    return ZoneInfo(campaign.timezone or app.settings.bot.timezone)


def group_t(app: App, chat_key: str) -> Translator:
    """The translator for what the bot posts in a group: the chat's language, else the bot's."""
    lang = app.settings.chat_language(chat_key) or app.settings.bot.language
    return app.catalogs.translator(lang, NAME)


def person_t(app: App, person: Person | None) -> Translator:
    """The translator for a private message to `person`."""
    lang = (person.lang if person else None) or app.settings.bot.language
    return app.catalogs.translator(lang, NAME)
