"""The parts of DingTalk's official Stream SDK (``dingtalk-stream``) this adapter uses: the
frame types and their acknowledgement (`AckMessage`), the robot message topic and its parsed
form (`ChatbotMessage`), the card callback topic and its parsed form."""

from __future__ import annotations

from dingtalk_stream import AckMessage, CallbackMessage, ChatbotMessage, SystemMessage
from dingtalk_stream.card_callback import Card_Callback_Router_Topic, CardCallbackMessage

__all__ = [
    "CARD_TOPIC",
    "MESSAGE_TOPIC",
    "AckMessage",
    "CallbackMessage",
    "CardCallbackMessage",
    "ChatbotMessage",
    "SystemMessage",
]

#: Robot messages (单聊, and group messages that @-mention the robot).
MESSAGE_TOPIC: str = ChatbotMessage.TOPIC
#: Clicks on an interactive card's buttons.
CARD_TOPIC: str = Card_Callback_Router_Topic
