"""The crash tests' bot on an installed adapter, run as a subprocess: ``python -m
tests.crash.installed_bot CONFIG.yaml`` from the repository root. The crash bot's plugin (a row
and a reply per message) with the adapters the config names (``wecom``, ``telegram``), pointed
at their emulators."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from qunzhu.core._installed_adapters import AdapterModels
from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.plugins import PluginSet, load_plugins
from tests.crash.crash_bot import CrashPlugin


async def main(config: Path) -> None:
    plugins = PluginSet.collect(
        load_plugins([("crash", CrashPlugin())], entry_points_enabled=False)
    )
    settings = load_config(
        config, plugin_models=plugins.section_models(), adapter_models=AdapterModels()
    )
    logging.basicConfig(
        level=settings.logging.level, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    app = App.build(settings, plugins, clock=SystemClock())
    await app.start(create_tables=True)
    print("ready", flush=True)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
