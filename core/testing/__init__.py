"""Testing qunzhu plugins: `BotHarness` (behind the ``bot`` pytest fixture) and `MemoryAdapter`;
`start_app` for a whole bot over a real platform's wire."""

from qunzhu.core.testing.apps import start_app
from qunzhu.core.testing.harness import BotHarness
from qunzhu.core.testing.memory import MemoryAdapter, Reacted, Sent

__all__ = ["BotHarness", "MemoryAdapter", "Reacted", "Sent", "start_app"]
