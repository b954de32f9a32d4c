"""Helpers for the test suite (STYLE.md: test helpers live here, never in a ``conftest.py``):
`loopback`, a chat platform on 127.0.0.1 and its adapter, for the crash and multi-worker tests.
They are not part of qunzhu: nothing installed names them."""
