"""The DingTalk (钉钉) robot adapter, on Stream mode. Importing this package must stay cheap:
nothing here imports the SDK (the ``qunzhu[dingtalk]`` extra), so its section validates
without it."""

from qunzhu.core.adapter import LazyAdapter

from .config import DingtalkConfig

__all__ = ["ADAPTER"]

#: The entry point ``qunzhu.adapters: dingtalk``.
ADAPTER = LazyAdapter(
    DingtalkConfig, "qunzhu.adapters.dingtalk.adapter:DingtalkAdapter", extra="dingtalk"
)
