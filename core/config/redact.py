"""Secrets out of printed configuration.

Replaced by `***`: values of pydantic `SecretStr`/`SecretBytes` fields, values under keys whose
name contains token, password, secret, api_key or apikey, and the secrets inside URLs
(`postgresql+asyncpg://bot:***@db/qunzhu`, `...?password=***`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr
from pydantic_core import to_jsonable_python
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["MASK", "hide_url_password", "is_secret_key", "redact", "redact_model"]

MASK = "***"
_SECRET_WORDS = ("token", "password", "secret", "api_key", "apikey")
_USERINFO = re.compile(r"(\b[a-zA-Z][\w+.-]*://[^:/@\s]*:)[^@\s]*@")
_QUERY_SECRET = re.compile(
    r"([?&][^=&#\s]*(?:token|password|secret|api_key|apikey)[^=&#\s]*=)[^&#\s]*", re.IGNORECASE
)
_QUERY_MASK = "qunzhu-redacted-value"  # survives URL quoting, then becomes MASK


def is_secret_key(key: object) -> bool:
    """Whether a key's name says its value is a secret (`bot_token`, `API-Key`, `password`)."""
    if not isinstance(key, str):
        return False
    name = key.lower().replace("-", "_")
    return any(word in name for word in _SECRET_WORDS)


def hide_url_password(value: Any) -> Any:
    """`value` with the secrets of a URL replaced by `***`: the password before the host, and
    query parameters named like secrets (``?password=``, ``sslpassword``, ``token``); anything
    else as it is."""
    if not isinstance(value, str) or "://" not in value:
        return value
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        return _QUERY_SECRET.sub(rf"\g<1>{MASK}", _USERINFO.sub(rf"\g<1>{MASK}@", value))
    secret_query = [k for k in url.query if is_secret_key(k)]
    if url.password is None and not secret_query:
        return value
    if secret_query:
        url = url.update_query_dict({k: _QUERY_MASK for k in secret_query})
    return url.render_as_string(hide_password=True).replace(_QUERY_MASK, MASK)


def redact_model(model: BaseModel) -> dict[str, Any]:
    """A pydantic model as a JSON-able dict (keys by alias), secrets replaced."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        if info.exclude:
            continue
        key = info.alias or name
        out[key] = redact(getattr(model, name), key)
    return out


def redact(value: Any, key: object = None) -> Any:
    """`value` as JSON-able data with secrets replaced; `key` is the name it is stored under."""
    if isinstance(value, SecretStr | SecretBytes) or (is_secret_key(key) and value is not None):
        return MASK
    if isinstance(value, BaseModel):
        return redact_model(value)
    if isinstance(value, Mapping):
        return {str(k): redact(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [redact(v) for v in items]
    return to_jsonable_python(hide_url_password(value))
