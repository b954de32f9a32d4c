"""Testing qunzhu plugins: `BotHarness` (behind the ``bot`` pytest fixture) and `MemoryAdapter`;
`start_app` for a whole bot over a real platform's wire.

The names are imported at first use: pytest imports this package for its plugin
(``qunzhu.core.testing.plugin``) in every test run of the environment, which should not load the
App for projects that do not use it."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qunzhu.core.testing.apps import start_app
    from qunzhu.core.testing.harness import BotHarness
    from qunzhu.core.testing.memory import MemoryAdapter, Reacted, Sent
    from qunzhu.core.testing.web import WebBrowser

__all__ = ["BotHarness", "MemoryAdapter", "Reacted", "Sent", "WebBrowser", "start_app"]

_WHERE = {
    "BotHarness": "harness",
    "MemoryAdapter": "memory",
    "Reacted": "memory",
    "Sent": "memory",
    "start_app": "apps",
    "WebBrowser": "web",
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        msg = f"module 'qunzhu.core.testing' has no attribute {name!r}"
        raise AttributeError(msg)
    from importlib import import_module

    value = getattr(import_module(f"qunzhu.core.testing.{where}"), name)
    globals()[name] = value
    return value
