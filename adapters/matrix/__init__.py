"""The Matrix adapter (matrix-nio), tested against a real Synapse homeserver on loopback.
Importing this package must stay cheap: nothing here imports matrix-nio (the ``qunzhu[matrix]``
extra; only ``qunzhu.adapters.matrix.adapter`` does, when a Matrix adapter is started)."""

from qunzhu.core.adapter import LazyAdapter

from .config import MatrixConfig

__all__ = ["ADAPTER"]

#: The entry point ``qunzhu.adapters: matrix``.
ADAPTER = LazyAdapter(MatrixConfig, "qunzhu.adapters.matrix.adapter:MatrixAdapter", extra="matrix")
