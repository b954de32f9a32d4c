"""The Telegram adapter, and (in ``qunzhu.adapters.telegram.emulator``) a Bot API server on loopback
to test it against. Importing this package must stay cheap: nothing here imports aiogram (the
``qunzhu[telegram]`` extra), so its section validates without it."""

from qunzhu.core.adapter import LazyAdapter

from .config import TelegramConfig

__all__ = ["ADAPTER"]

#: The entry point ``qunzhu.adapters: telegram``.
ADAPTER = LazyAdapter(
    TelegramConfig, "qunzhu.adapters.telegram.adapter:TelegramAdapter", extra="telegram"
)
