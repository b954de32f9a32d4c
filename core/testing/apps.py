"""`start_app`: a whole bot as ``qunzhu run`` starts it, for tests over a real platform's wire.

The configuration is written as the YAML file a user would write and loaded from there (with the
adapters found by entry point), so a test exercises the same loading, validation and start-up as
production; only the plugins are given explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from qunzhu.core.app import AdapterModels, App
from qunzhu.core.clock import Clock
from qunzhu.core.config import load_config
from qunzhu.core.plugins import PluginSet, load_plugins

__all__ = ["start_app"]


async def start_app(
    workdir: Path,
    config: Mapping[str, Any],
    plugins: Sequence[tuple[str, object]],
    *,
    clock: Clock | None = None,
) -> App:
    """Write `config` to ``workdir/qunzhu.yaml``, load it with `plugins` (name, module or
    object), and start the App (tables created). Stop it with ``await app.stop()``."""
    path = workdir / "qunzhu.yaml"
    path.write_text(yaml.safe_dump(dict(config), allow_unicode=True), encoding="utf-8")
    found = PluginSet.collect(load_plugins(list(plugins), entry_points_enabled=False))
    settings = load_config(
        path, plugin_models=found.section_models(), adapter_models=AdapterModels()
    )
    app = App.build(settings, found, clock=clock)
    await app.start(create_tables=True)
    return app
