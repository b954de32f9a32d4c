"""The WeCom (企业微信) AI-bot adapter, on the bot's long connection. Importing this package must
stay cheap: nothing here imports the SDK (the ``qunzhu[wecom]`` extra), so its section validates
without it."""

from qunzhu.core.adapter import LazyAdapter

from .config import WecomConfig

__all__ = ["ADAPTER"]

#: The entry point ``qunzhu.adapters: wecom``.
ADAPTER = LazyAdapter(WecomConfig, "qunzhu.adapters.wecom.adapter:WecomAdapter", extra="wecom")
