"""``python -m qunzhu.adapters.telegram.emulator``: see `cli.main`."""

import sys

from .cli import main

sys.exit(main())
