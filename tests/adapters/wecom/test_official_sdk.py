"""WeCom's official SDK (``wecom-aibot-python-sdk``) against the emulator: it subscribes, gets a
text callback, answers with a streaming reply, pushes an active message, downloads and decrypts
an image, and gets a card click, all as the emulator understands them. The SDK connects only
with TLS and certifi's certificates, so the emulator serves ``wss://`` with a certificate made
here, and the SDK's one TLS context is pointed at it for the test."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.adapters.wecom.emulator import WecomEmulator

with warnings.catch_warnings():  # the SDK imports a name websockets 14+ deprecated
    warnings.simplefilter("ignore", DeprecationWarning)
    import aibot.api
    import aibot.ws
    from aibot import WSClient
    from aibot.types import WSClientOptions


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def trusting_sdk(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    client = ssl.create_default_context(cafile=str(certificate[0]))
    monkeypatch.setattr(aibot.ws, "_SSL_CONTEXT", client)
    monkeypatch.setattr(aibot.api, "_SSL_CONTEXT", client)
    yield


@pytest_asyncio.fixture
async def emu(certificate: tuple[Path, Path]) -> AsyncIterator[WecomEmulator]:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(str(certificate[0]), str(certificate[1]))
    async with WecomEmulator(ssl_context=server) as emulator:
        yield emulator


class Quiet:
    """The SDK's logger, silent."""

    def debug(self, message: str, *args: Any) -> None: ...
    def info(self, message: str, *args: Any) -> None: ...
    def warn(self, message: str, *args: Any) -> None: ...
    def error(self, message: str, *args: Any) -> None: ...


@pytest.mark.usefixtures("trusting_sdk")
async def test_the_official_sdk_speaks_with_the_emulator(emu: WecomEmulator) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("wrkA", "北部新城工程", ana)
    options = WSClientOptions(bot_id=emu.bot_id, secret=emu.secret, ws_url=emu.ws_url)
    options.logger = Quiet()
    client = WSClient(options)
    frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    client.on("message", frames.put_nowait)
    client.on("event.template_card_event", frames.put_nowait)
    await client.connect()
    try:
        await emu.subscribed()
        # a group message that @-mentions the bot, answered with a finished streaming reply
        await emu.say(ana, "混凝土没按规范养护", group=works)
        frame = await asyncio.wait_for(frames.get(), 5)
        assert frame["body"]["text"]["content"] == "@群助手 混凝土没按规范养护"
        ack = await client.reply_stream(frame, "s1", "收到，已登记。", finish=True)
        assert ack["errcode"] == 0
        # an active message with a card to the group, and its click
        card = {
            "card_type": "button_interaction",
            "main_title": {"title": "请确认"},
            "button_list": [{"text": "接单", "style": 1, "key": "ack"}],
            "task_id": "t1",
        }
        ack = await client.send_message(
            works.chatid, {"msgtype": "template_card", "template_card": card}
        )
        assert ack["errcode"] == 0
        [reply, posted] = await emu.wait_sent(works, 2)
        assert (reply.kind, reply.text) == ("stream", "收到，已登记。")
        await emu.click(ana, posted, "接单")
        click = await asyncio.wait_for(frames.get(), 5)
        assert click["body"]["event"]["template_card_event"]["event_key"] == "ack"
        # an image in private: the SDK downloads it and decrypts it with its key
        await emu.say(ana, images=(b"\xff\xd8 a photo of the site",))
        frame = await asyncio.wait_for(frames.get(), 5)
        image = frame["body"]["image"]
        data, _ = await client.download_file(image["url"], image["aeskey"])
        assert data == b"\xff\xd8 a photo of the site"
        # an unknown chat is refused, as the adapter's tests expect
        with pytest.raises(RuntimeError, match="93006"):
            await client.send_message(
                "nowhere", {"msgtype": "markdown", "markdown": {"content": "x"}}
            )
    finally:
        client.disconnect()
        await asyncio.sleep(0.05)
