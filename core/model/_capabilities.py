"""What a platform can hear and do, and what a plugin's feature needs of it.

Platforms differ in ways the plugins must not be left to guess: WeCom and DingTalk deliver a
group message to a bot only when it @-mentions the bot (private chats deliver everything);
Matrix has no buttons (a numbered list stands in), WeCom has cards; Telegram lets a bot write
only to people who wrote first. An adapter declares its `Capabilities`; a plugin declares its
`Feature`s with the `Capability` each needs and what it does instead where that is missing
(``register_features``). At start-up the application names, in the log, every feature that
cannot run as such on a configured adapter, so that nothing is silently off; ``/help`` tells
people on a mention-only platform how to address the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ButtonStyle", "Capabilities", "Capability", "Feature", "Hearing"]


class Hearing(StrEnum):
    """Which group messages reach the bot."""

    #: Every message of the groups the bot is in (Telegram with privacy mode off, Matrix).
    ALL = "all"
    #: Only those that @-mention the bot (WeCom, DingTalk); private chats deliver everything.
    MENTIONS = "mentions"


class ButtonStyle(StrEnum):
    """How `Reply.buttons` look on the platform."""

    #: Buttons under the message (Telegram inline keyboards, the console's numbers).
    BUTTONS = "buttons"
    #: A card with buttons whose clicks come back as events (WeCom template cards, DingTalk
    #: interactive cards).
    CARDS = "cards"
    #: A numbered list answered by number or reaction (Matrix).
    NUMBERED = "numbered"


class Capability(StrEnum):
    """One thing a feature may need of a platform."""

    #: Sees every group message, not only those that @-mention the bot.
    HEARS_ALL = "hears_all"
    #: Changes a message it sent (a sold-out button, a card's state).
    EDITS = "edits"
    #: Puts and receives emoji reactions.
    REACTIONS = "reactions"
    #: Writes first to a person in private.
    WRITES_FIRST = "writes_first"


@dataclass(frozen=True)
class Capabilities:
    """What an adapter's platform can hear and do (`Adapter.capabilities`)."""

    hearing: Hearing = Hearing.ALL
    #: How people address the bot in a group on a mention-only platform (``@群助手``): named
    #: in ``/help``. Empty: the adapter does not know the bot's name.
    mention: str = ""
    buttons: ButtonStyle = ButtonStyle.BUTTONS
    edits: bool = True
    reactions: bool = False
    writes_first: bool = True

    def has(self, capability: Capability) -> bool:
        """Whether the platform has `capability`."""
        if capability is Capability.HEARS_ALL:
            return self.hearing is Hearing.ALL
        if capability is Capability.EDITS:
            return self.edits
        if capability is Capability.REACTIONS:
            return self.reactions
        return self.writes_first

    @property
    def mentions_only(self) -> bool:
        """Whether group messages reach the bot only when they @-mention it."""
        return self.hearing is Hearing.MENTIONS


@dataclass(frozen=True)
class Feature:
    """A plugin feature that needs something of the platform (``register_features``).

    `what` says what the feature does where the platform has `needs`, `instead` what the plugin
    does where it has not (both English, for the operator's log and the docs):
    ``Feature("group_detection", Capability.HEARS_ALL, "offers to file problems it reads in
    group chatter", "answers group messages that @-mention the bot")``."""

    name: str
    needs: Capability
    what: str
    instead: str
