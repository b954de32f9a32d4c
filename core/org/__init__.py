"""The organisation model: one chart of units (village → township → district, bureaus beside
them) that every plugin reads as ``ctx.org`` (``app.org`` in jobs and web routes).

Written under ``org:`` in the YAML (`qunzhu.core.config.org`); plugins whose old sections still
declare units (``plugins.complaints.departments``, ``plugins.checkins.units``) have them merged in.
"""

from __future__ import annotations

from ._config import org_from_settings
from ._model import MEMBER_ROLE, ROLE_PREFIX, Org, OrgUnit

__all__ = ["MEMBER_ROLE", "ROLE_PREFIX", "Org", "OrgUnit", "org_from_settings"]
