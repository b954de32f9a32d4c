"""The parts of WeCom's official AI-bot SDK (``wecom-aibot-python-sdk``, package ``aibot``) this
adapter uses: its frame names, request ids and per-file decryption.

Importing any of it imports the whole package, whose connection module asks websockets 14+ for
a name it deprecated (``websockets.client.WebSocketClientProtocol``): that warning is about
code this adapter never runs, so it is silenced here, for this import only.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="websockets.*")
    warnings.filterwarnings("ignore", message=".*WebSocketClientProtocol is deprecated")
    from aibot.crypto_utils import decrypt_file
    from aibot.types import WsCmd
    from aibot.utils import generate_req_id

__all__ = ["WsCmd", "decrypt_file", "generate_req_id"]
