"""Shared test set-up. The ``bot`` fixture comes from qunzhu's own pytest plugin
(``qunzhu.core.testing.plugin``, registered as a ``pytest11`` entry point)."""
