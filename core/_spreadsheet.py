"""Cells people's words go into before a spreadsheet (CSV or XLSX) is downloaded: what residents,
buyers and officials typed must neither break the file nor run in it.

The characters XML 1.0 forbids are removed (openpyxl refuses the whole workbook for one control
character), and a text that a spreadsheet would read as a formula (``=HYPERLINK(…)``, ``+1``,
``@SUM``) gets a leading ``'``, so that it is shown as typed (OWASP's CSV injection advice)."""

from __future__ import annotations

import re

__all__ = ["safe_cell"]

#: What XML 1.0 does not allow in a document (tab, LF and CR are allowed), and the surrogates
#: a str may hold but UTF-8 cannot encode.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: First characters that make a spreadsheet read a cell as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value` as it may go into a CSV or XLSX cell: texts cleaned and neutralised, numbers
    kept as they are."""
    if not isinstance(value, str):
        return value
    text = _FORBIDDEN.sub("", value)
    return "'" + text if text.startswith(_FORMULA) else text
