"""What the simulated people do: the test API that makes Telegram send the bot updates.

`People` is a mixin of `TelegramEmulator`. Each action changes the world as Telegram would (a
message gets the chat's next id, a join marks the member) and queues the update the bot would
receive, built with Telegram's field names: ``message``, ``edited_message``, ``callback_query``,
``message_reaction``, ``chat_member`` and ``my_chat_member``. Two Telegram rules apply as they
do there: ``message_reaction`` and ``chat_member`` reach the bot only when it is an administrator
of a group (or in a private chat) and only if it listed them in allowed_updates; with privacy
mode on, a bot that is not an administrator sees only commands, mentions and replies to itself.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from .chats import Callback, Chat, Stored, User
from .entities import detect
from .errors import ApiError, ScenarioError
from .members import Membership
from .world import World

__all__ = ["People"]

MessageRef = dict[str, Any]


#: What a forwarded message carries over from the original.
_FORWARDED = frozenset(
    {"text", "entities", "photo", "caption", "caption_entities", "document", "location", "venue"}
)


def _origin(original: dict[str, Any], hidden: bool) -> dict[str, Any]:
    """The ``forward_origin`` (a MessageOrigin of the Bot API) of a forward of `original`: the
    emulator's messages are all users' (it has no channels nor anonymous administrators, whose
    origins are ``channel`` and ``chat``)."""
    author = original["from"]
    if hidden:
        name = " ".join(p for p in (author.get("first_name"), author.get("last_name")) if p)
        return {"type": "hidden_user", "date": original["date"], "sender_user_name": name}
    return {"type": "user", "date": original["date"], "sender_user": author}


class People(Membership):
    """Users, chats and everything users do in them."""

    world: World
    clock: Callable[[], float]

    # -- the cast ------------------------------------------------------------------------

    def user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> User:
        """A new Telegram user."""
        user = User(self.world.next_id("user"), first_name, last_name, username, language_code)
        self.world.users[user.id] = user
        return user

    def group(
        self,
        title: str,
        *,
        members: Iterable[User] = (),
        supergroup: bool = True,
        username: str | None = None,
        bot_admin: bool = False,
        with_bot: bool = True,
    ) -> Chat:
        """A group with the bot already in it (no update is sent for that). The first member
        is the creator; anyone else who speaks there becomes a member on their first message.
        ``supergroup=False`` makes a basic group, which `migrate` can upgrade;
        ``with_bot=False`` a group the bot is not in yet (`add_bot` adds it, with the updates
        Telegram sends)."""
        if supergroup:
            chat_id = -(1_000_000_000_000 + self.world.next_id("supergroup"))
        else:
            chat_id = -self.world.next_id("group")
        chat = Chat(
            chat_id,
            "supergroup" if supergroup else "group",
            title=title,
            username=username,
            bot_status="left" if not with_bot else "administrator" if bot_admin else "member",
        )
        for i, member in enumerate(members):
            chat.members[member.id] = "creator" if i == 0 else "member"
        self.world.chats[chat.id] = chat
        return chat

    def private(self, user: User) -> Chat:
        """The private chat between `user` and the bot (the user has pressed Start)."""
        chat = self.world.chats.get(user.id)
        if chat is None:
            chat = self.world.chats[user.id] = Chat(user.id, "private", user=user)
        return chat

    def chat(self, chat_id: int) -> Chat:
        """A chat by id."""
        chat = self.world.chats.get(chat_id)
        if chat is None:
            msg = f"no chat {chat_id}"
            raise ScenarioError(msg)
        return chat

    def message(self, chat: Chat | int, message_id: int) -> MessageRef:
        """A message's current JSON (edits applied)."""
        return self._stored({"chat": {"id": self._chat(chat).id}, "message_id": message_id}).data

    # -- messages --------------------------------------------------------------------------

    def say(
        self,
        user: User,
        chat: Chat | int,
        text: str,
        *,
        entities: list[dict[str, Any]] | None = None,
        reply_to: MessageRef | None = None,
    ) -> MessageRef:
        """`user` sends `text` to `chat`. Commands, mentions, hashtags and links get their
        entities as Telegram computes them unless `entities` is given."""
        found = detect(text) if entities is None else entities
        fields: dict[str, Any] = {"text": text}
        if found:
            fields["entities"] = found
        return self._post(user, self._chat(chat), fields, reply_to)

    def reply(self, user: User, chat: Chat | int, *, to: MessageRef, text: str) -> MessageRef:
        """`user` replies to the message `to` with `text`."""
        return self.say(user, chat, text, reply_to=to)

    def edit(self, user: User, message: MessageRef, text: str) -> MessageRef:
        """`user` edits their own message: a text's text, or a photo's or a file's caption (the
        media stay). The bot gets ``edited_message``."""
        stored = self._stored(message)
        field = "text" if "text" in stored.data else "caption"
        media = {"photo", "document"} & stored.data.keys()
        if stored.sender_id != user.id or (field == "caption" and not media):
            msg = f"{user.first_name} can only edit their own messages with text or a caption"
            raise ScenarioError(msg)
        chat = self.chat(stored.data["chat"]["id"])
        entities = "entities" if field == "text" else "caption_entities"
        stored.data[field] = text
        stored.data.pop(entities, None)
        if found := detect(text):
            stored.data[entities] = found
        stored.data["edit_date"] = self.world.date()
        stored.edit_count += 1
        if self.world.visible(chat, stored.data):
            self.world.enqueue("edited_message", stored.data)
        return stored.data

    def forward(
        self, user: User, chat: Chat | int, message: MessageRef, *, hidden: bool = False
    ) -> MessageRef:
        """`user` forwards `message` (from any chat) to `chat`: its text or media, with the
        ``forward_origin`` Telegram gives: ``user`` (the author) or ``hidden_user`` (an author
        whose privacy settings hide their account, `hidden`: their name only). A forward of a
        forward keeps the first origin."""
        original = self._stored(message).data
        fields = {k: v for k, v in original.items() if k in _FORWARDED}
        fields["forward_origin"] = original.get("forward_origin") or _origin(original, hidden)
        return self._post(user, self._chat(chat), fields, None)

    def send_photo(
        self,
        user: User,
        chat: Chat | int,
        data: bytes,
        *,
        caption: str | None = None,
        reply_to: MessageRef | None = None,
    ) -> MessageRef:
        """`user` sends a photo (JPEG, PNG, GIF or WebP bytes) with an optional caption."""
        fields = {"photo": self._photo(data), **self._caption(caption)}
        return self._post(user, self._chat(chat), fields, reply_to)

    def send_album(
        self, user: User, chat: Chat | int, photos: list[bytes], *, caption: str | None = None
    ) -> list[MessageRef]:
        """`user` sends 2-10 photos as one album: one message (and update) each, sharing a
        ``media_group_id``; the caption sits on the first, as Telegram clients put it."""
        if not 2 <= len(photos) <= 10:
            msg = "an album holds 2 to 10 photos"
            raise ScenarioError(msg)
        group_id = str(self.world.next_id("media_group"))
        target = self._chat(chat)
        out = []
        for i, data in enumerate(photos):
            fields = {"media_group_id": group_id, "photo": self._photo(data)}
            if i == 0:
                fields.update(self._caption(caption))
            out.append(self._post(user, target, fields, None))
        return out

    def send_document(
        self,
        user: User,
        chat: Chat | int,
        data: bytes,
        file_name: str,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> MessageRef:
        """`user` sends a file."""
        document = self.world.files.document(data, file_name, mime_type)
        fields = {"document": document, **self._caption(caption)}
        return self._post(user, self._chat(chat), fields, None)

    def send_location(
        self, user: User, chat: Chat | int, latitude: float, longitude: float
    ) -> MessageRef:
        """`user` shares a point on the map."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._post(user, self._chat(chat), {"location": location}, None)

    def send_venue(
        self,
        user: User,
        chat: Chat | int,
        latitude: float,
        longitude: float,
        *,
        title: str,
        address: str,
    ) -> MessageRef:
        """`user` shares a named place (the message has both ``venue`` and ``location``)."""
        location = {"latitude": latitude, "longitude": longitude}
        venue = {"location": location, "title": title, "address": address}
        fields = {"location": dict(location), "venue": venue}
        return self._post(user, self._chat(chat), fields, None)

    # -- reactions to the bot's messages ---------------------------------------------------

    def press(self, user: User, message: MessageRef, data: str) -> dict[str, Any]:
        """`user` presses the inline button with callback_data `data` under the bot's
        `message`; returns the CallbackQuery sent to the bot. Refuses data that is not on the
        message's current keyboard, because Telegram cannot send it either."""
        stored = self._stored(message)
        chat = self.chat(stored.data["chat"]["id"])
        keyboard = stored.data.get("reply_markup", {}).get("inline_keyboard", [])
        offered = [b["callback_data"] for row in keyboard for b in row if "callback_data" in b]
        if stored.sender_id != self.world.bot.id or data not in offered:
            msg = f"no button with callback_data {data!r} on that message (offered: {offered})"
            raise ScenarioError(msg)
        self._join_silently(user, chat)
        query_id = str(self.world.next_id("callback"))
        query = {
            "id": query_id,
            "from": user.as_json(),
            "message": copy.deepcopy(stored.data),
            "chat_instance": chat.instance,
            "data": data,
        }
        self.world.callbacks[query_id] = Callback(query, self.clock())
        self.world.enqueue("callback_query", query)
        return query

    def react(self, user: User, message: MessageRef, emoji: str | None) -> dict[str, Any]:
        """`user` sets (or with None removes) their emoji reaction on `message`."""
        stored = self._stored(message)
        chat = self.chat(stored.data["chat"]["id"])
        old = stored.reactions.get(user.id, [])
        new = [{"type": "emoji", "emoji": emoji}] if emoji else []
        stored.reactions[user.id] = new
        event = {
            "chat": chat.as_json(),
            "message_id": stored.data["message_id"],
            "user": user.as_json(),
            "date": self.world.date(),
            "old_reaction": old,
            "new_reaction": new,
        }
        if chat.is_private or chat.bot_status == "administrator":
            self.world.enqueue("message_reaction", event)
        return event

    # -- helpers -----------------------------------------------------------------------------

    def _chat(self, chat: Chat | int) -> Chat:
        return chat if isinstance(chat, Chat) else self.chat(chat)

    def _stored(self, message: MessageRef) -> Stored:
        chat = self.chat(message["chat"]["id"])
        stored = chat.messages.get(message["message_id"])
        if stored is None:
            msg = f"message {message['message_id']} is not in chat {chat.id} (deleted?)"
            raise ScenarioError(msg)
        return stored

    def _photo(self, data: bytes) -> list[dict[str, Any]]:
        try:
            return self.world.files.photo(data)
        except ApiError as exc:
            msg = f"not a photo the emulator can read: {exc.description}"
            raise ScenarioError(msg) from None

    def _caption(self, caption: str | None) -> dict[str, Any]:
        if not caption:
            return {}
        found = detect(caption)
        return {"caption": caption, "caption_entities": found} if found else {"caption": caption}

    def _post(
        self, user: User, chat: Chat, fields: dict[str, Any], reply_to: MessageRef | None
    ) -> MessageRef:
        """Store a user's message and queue the ``message`` update if the bot can see it."""
        self._join_silently(user, chat)
        if reply_to is not None:
            target = self._stored(reply_to).data
            fields = {
                "reply_to_message": {k: v for k, v in target.items() if k != "reply_to_message"},
                **fields,
            }
        stored = self.world.store(chat, user, fields)
        if chat.is_private and chat.blocked:
            self.unblock_bot(user)
        if self.world.visible(chat, stored.data):
            self.world.enqueue("message", stored.data)
        return stored.data
