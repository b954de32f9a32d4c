"""Names of the values the adapter keeps in its state (``EventSink.set_state``)."""

from __future__ import annotations

import hashlib

__all__ = ["state_key"]

_LIMIT = 100  # the state's key column holds 128 characters, "matrix/" included


def state_key(kind: str, ident: str) -> str:
    """``kind:ident``; a hash of `ident` when it is too long to be a key (Matrix ids may run to
    255 characters)."""
    key = f"{kind}:{ident}"
    if len(key) <= _LIMIT:
        return key
    return f"{kind}#{hashlib.sha256(ident.encode()).hexdigest()[:40]}"
