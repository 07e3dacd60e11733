"""A small fake Discord for end-to-end tests: REST API and gateway on 127.0.0.1.

The real discord.py client talks to it over sockets. Tests drive it by
dispatching gateway events (a member posts, edits, runs a command, clicks a
button) and read what the bot did from the request log. Facts about the
protocol: shared/notes/discord-loopback.md.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

GUILD_ID = 100  # on shard 0 of any shard count: (100 >> 22) % n == 0
SHARD_1_GUILD = (1 << 22) + 100  # on shard 1 of 2
GENERAL = 200  # text channels
OFFTOPIC = 201
MODLOG = 202
FORUM = 203
CATEGORY = 210
BOT_ID = 900
APP_ID = 901
MEMBER = 300  # ordinary members
OTHER_MEMBER = 301
MODERATOR = 302
OTHER_BOT = 303
IGNORED_ROLE = 400
MANAGE_GUILD = 1 << 5
MANAGE_MESSAGES = 1 << 13


def user(user_id: int, name: str, *, bot: bool = False) -> dict:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None, "global_name": name, "bot": bot}


USERS = {
    MEMBER: user(MEMBER, "mia"),
    OTHER_MEMBER: user(OTHER_MEMBER, "omar"),
    MODERATOR: user(MODERATOR, "mod"),
    OTHER_BOT: user(OTHER_BOT, "VendorBot", bot=True),
    BOT_ID: user(BOT_ID, "ClaimCheck", bot=True),
}


def shard_of(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


def channel_in(guild_id: int, channel_id: int) -> int:
    """A channel of the standard layout (GENERAL, MODLOG, ...) in another guild than GUILD_ID."""
    return channel_id if guild_id == GUILD_ID else guild_id * 1000 + channel_id


@dataclass
class Request:
    method: str
    path: str
    json: Any
    query: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FakeDiscord:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.messages: dict[int, dict] = {}
        self.posted_at: dict[int, float] = {}  # message id -> when its MESSAGE_CREATE left (bench/load.py)
        self.guild_ids: list[int] = [GUILD_ID]
        self.channel_guilds: dict[int, int] = {}  # channels and threads outside GUILD_ID
        self.recommended_shards = 1
        self.sockets: dict[web.WebSocketResponse, tuple[int, int]] = {}  # each with its [shard_id, shard_count]
        self.identified = asyncio.Event()
        self.failures: list[tuple[Callable[[Request], bool], int, dict, dict]] = []
        self.intents_rejected = False
        self.heartbeat_interval_ms = 41250  # what HELLO asks for; tests of the event loop shorten it
        self.heartbeats: list[float] = []  # when each heartbeat arrived (time.monotonic())
        self.valid_token = "test-token"
        self._ids = itertools.count(10_000)
        self._seq = itertools.count(1)
        self._new_request = asyncio.Condition()
        self.runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self.runner is not None:
            await self.runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    # --- payloads -----------------------------------------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def member_payload(self, user_id: int, roles: list[int] = (), permissions: int = 0) -> dict:
        return {
            "user": USERS[user_id],
            "roles": [str(r) for r in roles],
            "flags": 0,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "permissions": str(permissions),
        }

    def guild_of(self, channel_id: int) -> int:
        return self.channel_guilds.get(channel_id, GUILD_ID)

    def guild_payload(self, guild_id: int = GUILD_ID) -> dict:
        for channel_id in (GENERAL, OFFTOPIC, MODLOG, FORUM, CATEGORY):
            self.channel_guilds[channel_in(guild_id, channel_id)] = guild_id

        def text(channel_id: int, name: str, position: int, parent: int | None = CATEGORY) -> dict:
            return {"id": str(channel_in(guild_id, channel_id)), "type": 0, "name": name, "position": position,
                    "parent_id": str(channel_in(guild_id, parent)) if parent else None, "permission_overwrites": []}  # fmt: skip

        return {
            "id": str(guild_id),
            "name": "Pain Support",
            "owner_id": str(MODERATOR),
            "member_count": 4,
            "unavailable": False,
            "roles": [
                {"id": str(guild_id), "name": "@everyone", "permissions": "0", "position": 0},
                {"id": str(IGNORED_ROLE), "name": "Helpers", "permissions": "0", "position": 1},
            ],
            "channels": [
                {"id": str(channel_in(guild_id, CATEGORY)), "type": 4, "name": "Community", "position": 0,
                 "permission_overwrites": []},  # fmt: skip
                text(GENERAL, "general", 1),
                text(OFFTOPIC, "off-topic", 2),
                text(MODLOG, "mod-log", 3, parent=None),
                {"id": str(channel_in(guild_id, FORUM)), "type": 15, "name": "questions", "position": 4,
                 "parent_id": str(channel_in(guild_id, CATEGORY)),
                 "permission_overwrites": [], "available_tags": []},  # fmt: skip
            ],
            "threads": [],
            "members": [self.member_payload(BOT_ID)],
            "emojis": [],
            "stickers": [],
        }

    def message_payload(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        *,
        message_id: int | None = None,
        reference: dict | None = None,
        roles: list[int] = (),
        webhook_id: int | None = None,
        extra: dict | None = None,
    ) -> dict:
        payload = {
            "id": str(message_id or self.next_id()),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_of(channel_id)),
            "author": USERS[author_id],
            "member": {k: v for k, v in self.member_payload(author_id, roles).items() if k not in ("user", "permissions")},
            "content": content,
            "timestamp": "2026-11-22T10:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        if webhook_id:
            payload["webhook_id"] = str(webhook_id)
        if reference:
            payload["type"] = 19
            payload["message_reference"] = {"message_id": reference["id"], "channel_id": reference["channel_id"],
                                            "guild_id": payload["guild_id"]}  # fmt: skip
            payload["referenced_message"] = reference
        if extra:
            payload.update(extra)
        return payload

    # --- gateway ------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}))
        try:
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                data = json.loads(frame.data)
                if data["op"] == 1:
                    self.heartbeats.append(time.monotonic())
                    await ws.send_str(json.dumps({"op": 11}))
                elif data["op"] == 2:
                    await self._identify(ws, data["d"])
                elif data["op"] == 6:
                    await self._send(ws, "RESUMED", {})
        finally:
            self.sockets.pop(ws, None)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict) -> None:
        if data.get("token") != self.valid_token:
            await ws.close(code=4004, message=b"Authentication failed")
            return
        if self.intents_rejected and data["intents"] & (1 << 15):
            await ws.close(code=4014, message=b"Disallowed intent(s)")
            return
        shard_id, shard_count = data.get("shard") or (0, 1)
        guilds = [guild_id for guild_id in self.guild_ids if shard_of(guild_id, shard_count) == shard_id]
        self.sockets[ws] = (shard_id, shard_count)
        await self._send(ws, "READY", {
            "v": 10, "session_id": f"session-{shard_id}", "resume_gateway_url": self.gateway_url,
            "user": USERS[BOT_ID], "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in guilds],
            "application": {"id": str(APP_ID), "flags": 0}, "shard": [shard_id, shard_count],
        })  # fmt: skip
        for guild_id in guilds:
            await self._send(ws, "GUILD_CREATE", self.guild_payload(guild_id))
        self.identified.set()

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict) -> None:
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    def sockets_for(self, guild_id: int | None) -> list[web.WebSocketResponse]:
        """The connections that receive a guild's events: those of its shard (all for no guild)."""
        return [ws for ws, (shard_id, count) in self.sockets.items() if guild_id is None or shard_of(guild_id, count) == shard_id]

    async def dispatch(self, event: str, data: dict) -> None:
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        sockets = self.sockets_for(guild_id)
        assert sockets, f"no bot is connected to the fake gateway for guild {guild_id}"
        for ws in sockets:
            await self._send(ws, event, data)

    # --- what a member does -------------------------------------------------------------

    async def create_thread(self, parent: int) -> int:
        """A forum post (a public thread in a forum channel); returns its id."""
        thread_id = self.next_id()
        await self.dispatch("THREAD_CREATE", {
            "id": str(thread_id), "type": 11, "guild_id": str(GUILD_ID), "parent_id": str(parent), "name": "post",
            "owner_id": str(MEMBER), "message_count": 0, "member_count": 1, "rate_limit_per_user": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "archive_timestamp":
                                "2026-11-22T10:00:00+00:00", "locked": False},
            "newly_created": True,
        })  # fmt: skip
        return thread_id

    async def post(self, content: str, *, channel: int = GENERAL, author: int = MEMBER, **options) -> dict:
        payload = self.message_payload(channel, author, content, **options)
        self.messages[int(payload["id"])] = payload
        self.posted_at[int(payload["id"])] = time.monotonic()
        await self.dispatch("MESSAGE_CREATE", payload)
        return payload

    async def edit(self, message: dict, content: str) -> dict:
        payload = {**message, "content": content, "edited_timestamp": "2026-11-22T10:05:00+00:00"}
        self.messages[int(payload["id"])] = payload
        await self.dispatch("MESSAGE_UPDATE", payload)
        return payload

    def _interaction(self, kind: int, data: dict, *, user_id: int, permissions: int, channel: int, message: dict | None = None) -> dict:
        payload = {
            "id": str(self.next_id()),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"token-{self.next_id()}",
            "version": 1,
            "guild_id": str(self.guild_of(channel)),
            "channel_id": str(channel),
            "channel": {"id": str(channel), "type": 0, "name": "general", "position": 1,
                        "guild_id": str(self.guild_of(channel))},  # fmt: skip
            "member": self.member_payload(user_id, permissions=permissions),
            "app_permissions": str((1 << 53) - 1),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
            "data": data,
        }
        if message is not None:
            payload["message"] = message
        return payload

    async def slash(self, name: str, options: list[dict] = (), *, user_id: int = MEMBER, permissions: int = 0,
                    channel: int = GENERAL, resolved: dict | None = None) -> dict:  # fmt: skip
        data = {"id": str(self.next_id()), "name": name, "type": 1, "options": list(options)}
        if resolved:
            data["resolved"] = resolved
        payload = self._interaction(2, data, user_id=user_id, permissions=permissions, channel=channel)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def admin(self, subcommand: str, options: list[dict] = (), *, user_id: int = MODERATOR,
                    permissions: int = MANAGE_GUILD, resolved: dict | None = None) -> dict:  # fmt: skip
        option = {"name": subcommand, "type": 1, "options": list(options)}
        return await self.slash("claimcheck-admin", [option], user_id=user_id, permissions=permissions, resolved=resolved)

    async def context_menu(self, message: dict, *, user_id: int = MEMBER) -> dict:
        data = {"id": str(self.next_id()), "name": "Check claims", "type": 3, "target_id": message["id"],
                "resolved": {"messages": {message["id"]: message}}}  # fmt: skip
        payload = self._interaction(2, data, user_id=user_id, permissions=0, channel=int(message["channel_id"]))
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def click(self, message: dict, custom_id: str, *, user_id: int = MEMBER, permissions: int = 0) -> dict:
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, data, user_id=user_id, permissions=permissions,
                                    channel=int(message["channel_id"]), message=message)  # fmt: skip
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    # --- failures to inject ---------------------------------------------------------------

    def fail_next(self, predicate: Callable[[Request], bool], status: int, body: dict, headers: dict | None = None) -> None:
        self.failures.append((predicate, status, body, headers or {}))

    # --- REST -----------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        body = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json" and raw:
                body = json.loads(raw)
        entry = Request(request.method, "/" + request.match_info["tail"], body, dict(request.query))
        self.requests.append(entry)
        async with self._new_request:
            self._new_request.notify_all()
        for index, (predicate, status, error, headers) in enumerate(self.failures):
            if predicate(entry):
                del self.failures[index]
                return self._json(error, status=status, headers=headers)
        authorised = request.headers.get("Authorization") == f"Bot {self.valid_token}"
        if not authorised and not entry.path.startswith(("/interactions/", "/webhooks/")):
            return self._json({"message": "401: Unauthorized", "code": 0}, status=401)
        return await self._route(entry, request)

    def _json(self, data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
        if status == 204:
            return web.Response(status=204, headers=headers)
        return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json", headers=headers)

    def _bot_message(self, channel_id: int, body: dict, message_id: int | None = None) -> dict:
        payload = self.message_payload(channel_id, BOT_ID, body.get("content") or "", message_id=message_id)
        payload.pop("member")
        payload["embeds"] = body.get("embeds") or []
        payload["components"] = body.get("components") or []
        if body.get("message_reference"):
            payload["type"] = 19
            payload["message_reference"] = {k: str(v) for k, v in body["message_reference"].items() if v is not None}
        return payload

    async def _route(self, entry: Request, request: web.Request) -> web.Response:
        parts = entry.path.strip("/").split("/")
        method = entry.method
        if entry.path == "/users/@me":
            return self._json(USERS[BOT_ID])
        if entry.path == "/oauth2/applications/@me":
            return self._json({"id": str(APP_ID), "name": "ClaimCheck", "description": "", "icon": None,
                               "bot_public": True, "bot_require_code_grant": False, "verify_key": "00",
                               "owner": USERS[MODERATOR], "flags": 0})  # fmt: skip
        if parts[0] == "applications" and parts[-1] == "commands" and method == "PUT":
            commands = [{**c, "id": str(self.next_id()), "application_id": str(APP_ID), "description": c.get("description", ""),
                         "version": "1", "default_member_permissions": c.get("default_member_permissions")}
                        for c in entry.json]  # fmt: skip
            return self._json(commands)
        if parts[0] == "channels" and len(parts) >= 3 and parts[2] == "messages":
            channel_id = int(parts[1])
            if method == "POST" and len(parts) == 3:
                message = self._bot_message(channel_id, entry.json)
                self.messages[int(message["id"])] = message
                return self._json(message)
            message_id = int(parts[3])
            if method == "GET":
                if message_id not in self.messages:
                    return self._json({"message": "Unknown Message", "code": 10008}, status=404)
                return self._json(self.messages[message_id])
            if method == "PATCH":
                message = self._bot_message(channel_id, entry.json, message_id=message_id)
                self.messages[message_id] = message
                return self._json(message)
            if method == "DELETE":
                self.messages.pop(message_id, None)
                return self._json(None, status=204)
        if parts[0] == "interactions" and parts[-1] == "callback":
            response_id = self.next_id()
            data = (entry.json or {}).get("data") or {}
            if entry.json.get("type") in (4, 7):
                self.messages[response_id] = self._bot_message(GENERAL, data, message_id=response_id)
            return self._json({"interaction": {"id": parts[1], "type": 2, "response_message_id": str(response_id),
                                               "response_message_loading": False,
                                               "response_message_ephemeral": bool(data.get("flags", 0) & 64)}})  # fmt: skip
        if parts[0] == "webhooks":
            if method == "POST":
                message = self._bot_message(GENERAL, entry.json or {})
                return self._json(message)
            if method == "PATCH":
                return self._json(self._bot_message(GENERAL, entry.json or {}))
            if method == "DELETE":
                return self._json(None, status=204)
            return self._json(self._bot_message(GENERAL, {}))
        if entry.path in ("/gateway", "/gateway/bot"):
            return self._json({"url": self.gateway_url, "shards": self.recommended_shards,
                               "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})  # fmt: skip
        return self._json({"message": f"fake Discord has no route for {method} {entry.path}", "code": 0}, status=404)

    # --- waiting for the bot ------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[Request], bool], timeout: float = 5.0, *, after: int = 0) -> Request:
        """The first request (from index ``after``) matching ``predicate``; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        async with self._new_request:
            while True:
                for entry in self.requests[after:]:
                    if predicate(entry):
                        return entry
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"the bot sent no matching request within {timeout}s; saw {self.summary(after)}")
                try:
                    await asyncio.wait_for(self._new_request.wait(), remaining)
                except TimeoutError:
                    pass

    async def quiet(self, predicate: Callable[[Request], bool], seconds: float = 0.5, *, after: int = 0) -> None:
        """Assert that no matching request arrives within ``seconds``."""
        await asyncio.sleep(seconds)
        matching = [r for r in self.requests[after:] if predicate(r)]
        assert not matching, f"unexpected requests: {[(r.method, r.path, r.json) for r in matching]}"

    def summary(self, after: int = 0) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests[after:]]

    def mark(self) -> int:
        """Index to pass as ``after`` so that only requests from now on count."""
        return len(self.requests)


def is_reply_to(message: dict) -> Callable[[Request], bool]:
    def check(request: Request) -> bool:
        return (
            request.method == "POST"
            and request.path == f"/channels/{message['channel_id']}/messages"
            and bool(request.json)
            and str((request.json.get("message_reference") or {}).get("message_id")) == message["id"]
        )

    return check


def is_post_to(channel_id: int) -> Callable[[Request], bool]:
    return lambda r: r.method == "POST" and r.path == f"/channels/{channel_id}/messages"


def is_callback(interaction: dict) -> Callable[[Request], bool]:
    return lambda r: r.method == "POST" and r.path.startswith(f"/interactions/{interaction['id']}/")
