"""The crash tests' bot on DingTalk, run as a subprocess: ``python -m tests.crash.dingtalk_bot
CONFIG.yaml`` from the repository root. The same bot as WeCom's (`tests.crash.installed_bot`:
the crash bot's plugin with the installed adapters); its config points the ``dingtalk`` adapter at
the emulator."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.crash.installed_bot import main

if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
