"""The `Org` built from the validated settings (``org:`` with the legacy sections merged in)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from qunzhu.core.config.org import OrgUnitSettings

from ._model import Org, OrgUnit

__all__ = ["org_from_settings", "unit_of"]


def unit_of(key: str, entry: OrgUnitSettings) -> OrgUnit:
    """The unit `key` as written in the settings."""
    return OrgUnit(
        key=key,
        name=entry.name,
        names=MappingProxyType({str(lang): name for lang, name in entry.names.items()}),
        aliases=entry.aliases,
        parent=entry.parent,
        chats=entry.chats,
        head=entry.head,
        members=entry.members,
    )


def org_from_settings(units: Mapping[str, OrgUnitSettings]) -> Org:
    """The organisation of `units` (``Settings.org``, already checked by the loader)."""
    return Org(unit_of(key, entry) for key, entry in units.items())
