"""Testing qunzhu plugins: `BotHarness` (behind the ``bot`` pytest fixture) and `MemoryAdapter`."""

from qunzhu.core.testing.harness import BotHarness
from qunzhu.core.testing.memory import MemoryAdapter, Reacted, Sent

__all__ = ["BotHarness", "MemoryAdapter", "Reacted", "Sent"]
