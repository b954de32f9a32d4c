"""A Telegram Bot API emulator: a real HTTP server on 127.0.0.1 that speaks the part of the Bot
API a bot adapter uses, with Telegram's request formats, answers, error texts and flood limits,
plus a test API that plays the people in the chats.

    from qunzhu.adapters.telegram.emulator import TelegramEmulator

    async with TelegramEmulator(token="123456:TEST", bot_username="qunzhu_bot") as tg:
        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.api_base)))
        ana = tg.user("Ana")
        tg.say(ana, tg.private(ana), "/start")
        ...

It imports aiohttp only (no aiogram). Modules, one concept each:

* `emulator` - `TelegramEmulator`, the server's life cycle and what tests read back;
* `people`, `members` - what simulated users do (messages, photos, buttons, joins, blocks);
* `chats` - users, chats, messages as JSON; `world` - the state and the update queue;
* `media` - files and photo sizes; `backend` - what every method handler gets;
* `server` - Telegram's URL layout; `forms` - request parsing; `api_*` - the methods;
* `html_text`, `entities`, `compose` - text formatting and message checks;
* `limits` - flood limits; `failures` - scheduled errors; `webhook` - webhook delivery;
* `control`, `page`, `cli` - the HTTP control API, the demo page and the command line.
"""

from __future__ import annotations

from .chats import Chat, User
from .cli import main, serve
from .emulator import TelegramEmulator
from .errors import ApiError, ScenarioError
from .failures import Failure
from .limits import Limits, Violation
from .server import Call

__all__ = [
    "ApiError",
    "Call",
    "Chat",
    "Failure",
    "Limits",
    "ScenarioError",
    "TelegramEmulator",
    "User",
    "Violation",
    "main",
    "serve",
]
