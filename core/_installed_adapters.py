"""The adapters installed beside qunzhu, found by entry point (group ``qunzhu.adapters``).

An entry point names either the adapter class itself or a `LazyAdapter`: its config model and
where its class is. The lazy form keeps every command that only reads the configuration
(``config check``, ``config show``, ``config schema``, ``db upgrade``) working on an install without
the platform's library (aiogram for Telegram, matrix-nio for Matrix: optional extras), and costing
nothing when a platform is installed but not configured (aiogram alone costs ~2.5 s and ~166 MB to
import). Only starting a configured adapter loads its class; if its library is missing, that is one
line naming the extra to install, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points

from pydantic import BaseModel

from qunzhu.core.adapter import Adapter, LazyAdapter
from qunzhu.core.errors import AdapterError

__all__ = ["ADAPTER_GROUP", "AdapterModels", "config_models"]

ADAPTER_GROUP = "qunzhu.adapters"


class AdapterModels(Mapping[str, type[BaseModel]]):
    """The installed adapters' config models by name; an adapter's class is loaded only when
    asked for (`adapter`)."""

    def __init__(self) -> None:
        self._eps: dict[str, EntryPoint] = {ep.name: ep for ep in entry_points(group=ADAPTER_GROUP)}
        self._entries: dict[str, type[Adapter] | LazyAdapter] = {}
        self._loaded: dict[str, type[Adapter]] = {}

    def _entry(self, name: str) -> type[Adapter] | LazyAdapter:
        if name not in self._entries:
            try:
                found = self._eps[name].load()
            except ModuleNotFoundError as exc:  # a third-party adapter naming its class
                message = (
                    f"adapters.{name}: the {name} adapter needs {exc.name}, which is not "
                    f"installed: pip install {exc.name}"
                )
                raise AdapterError(message) from None
            if not isinstance(found, LazyAdapter) and not (
                isinstance(found, type) and issubclass(found, Adapter)
            ):
                message = (
                    f"adapters.{name}: its entry point names neither an Adapter class nor a "
                    "LazyAdapter"
                )
                raise AdapterError(message)
            self._entries[name] = found
        return self._entries[name]

    def adapter(self, name: str) -> type[Adapter]:
        """The adapter's class, imported now (with its platform library)."""
        if name not in self._loaded:
            entry = self._entry(name)
            self._loaded[name] = entry.load(name) if isinstance(entry, LazyAdapter) else entry
        return self._loaded[name]

    def __getitem__(self, name: str) -> type[BaseModel]:
        entry = self._entry(name)
        return entry.config if isinstance(entry, LazyAdapter) else entry.Config

    def __iter__(self) -> Iterator[str]:
        return iter(self._eps)

    def __len__(self) -> int:
        return len(self._eps)


def config_models() -> Mapping[str, type[BaseModel]]:
    """Every installed adapter's config model (for ``qunzhu config schema``)."""
    models = AdapterModels()
    return {name: models[name] for name in models}
