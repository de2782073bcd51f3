"""Telegram channel: pure helpers, the Bot API client, and the webhook end to
end against a fake Bot API on 127.0.0.1 with the real trained assistant."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
import requests
from aiohttp import web

from assistant.channels.telegram import register_webhook
from assistant.channels.telegram.bot_api import BotApi
from assistant.channels.telegram.chats import MAX_CALLBACK_DATA, CallbackData, ChatLocks, SeenUpdates
from assistant.channels.telegram.format import (
    escape_html,
    inline_keyboard,
    split_html,
    strip_html,
    telegram_length,
    to_html,
    user_text,
)
from assistant.tools.servers import Servers, free_port, running_assistant
from assistant.voice.audio import convert
from assistant.voice.voices import speak_as

SECRET = "test-secret_0123456789"
TOKEN = "123456:TEST-token"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- pure parts


def test_escaping_comes_before_markup() -> None:
    assert escape_html("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"
    assert to_html("**<script>** & _x<y_") == "<b>&lt;script&gt;</b> &amp; <i>x&lt;y</i>"
    assert to_html("**Vastus medialis**: a classic sign") == "<b>Vastus medialis</b>: a classic sign"


def test_italic_needs_word_boundaries() -> None:
    assert to_html("_This is self-care information._") == "<i>This is self-care information.</i>"
    assert to_html("vastus_medialis and snake_case_name") == "vastus_medialis and snake_case_name"
    assert to_html("a lone * and ** stay") == "a lone * and ** stay"


def test_strip_html_gives_back_the_plain_text() -> None:
    assert strip_html(to_html("**a** < _b_ & c")) == "a < b & c"


def _balanced(piece: str) -> bool:
    stack = []
    for closing, name in re.findall(r"<(/?)([a-z]+)>", piece):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_split_keeps_pieces_under_the_limit_and_valid() -> None:
    paragraph = "**Bold start** then & some <text> with _italic words_ here. " * 30
    html = to_html("\n\n".join([paragraph] * 6))
    pieces = split_html(html, 4096)
    assert len(pieces) > 1
    for piece in pieces:
        assert telegram_length(piece) <= 4096
        assert _balanced(piece)
        assert not re.search(r"&[a-z]*$", piece)  # no entity cut in half
    assert re.sub(r"\s+", "", strip_html("".join(pieces))) == re.sub(r"\s+", "", strip_html(html))


def test_split_prefers_paragraphs_and_reopens_tags() -> None:
    pieces = split_html("aaaa aaaa\n\nbbbb bbbb", 45)
    assert pieces == ["aaaa aaaa\n\nbbbb bbbb"]
    long_bold = "<b>" + "word " * 40 + "</b>"
    pieces = split_html(long_bold, 60)
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in pieces)
    assert all(telegram_length(p) <= 60 for p in pieces)


def test_split_counts_utf16_and_handles_text_without_spaces() -> None:
    pieces = split_html("\U0001F600" * 3000, 4096)
    assert all(telegram_length(p) <= 4096 for p in pieces)
    assert "".join(pieces) == "\U0001F600" * 3000
    assert split_html("x" * 10_000, 4096)[0] == "x" * (4096 - 32)
    assert split_html("   ") == []


def test_callback_data_short_payloads_pass_long_ones_get_an_id() -> None:
    callbacks = CallbackData(max_entries=2)
    assert callbacks.encode('/ask_more{"ordinal": "2"}') == '/ask_more{"ordinal": "2"}'
    long_payload = '/describe_symptom{"body_part": "outside_of_thigh", "sensation": "burning", "side": "left"}'
    key = callbacks.encode(long_payload)
    assert len(key.encode()) <= MAX_CALLBACK_DATA and key.startswith("#")
    assert callbacks.encode(long_payload) == key
    assert callbacks.resolve(key) == long_payload
    assert callbacks.resolve('/ask_more{"ordinal": "2"}') == '/ask_more{"ordinal": "2"}'
    # multi-byte text counts in bytes
    assert callbacks.encode("é" * 40).startswith("#")
    # bounded memory: the oldest ids are forgotten, then read as expired
    callbacks.encode("/x" + "a" * 70)
    callbacks.encode("/y" + "a" * 70)
    assert callbacks.resolve(key) is None
    assert callbacks.resolve("#unknown") is None


def test_a_chat_runs_one_update_at_a_time_and_its_lock_is_dropped_after() -> None:
    locks, order = ChatLocks(), []

    async def update(chat: str, name: str, pause: float) -> None:
        async with locks.hold(chat):
            order.append(f"{name} in")
            await asyncio.sleep(pause)
            order.append(f"{name} out")

    async def three() -> int:
        first = asyncio.create_task(update("1", "a", 0.05))
        await asyncio.sleep(0)
        waiting = len(locks)
        await asyncio.gather(first, update("1", "b", 0), update("2", "c", 0))
        return waiting

    assert asyncio.run(three()) == 1
    assert order.index("a out") < order.index("b in")  # same chat: in turn
    assert order.index("c in") < order.index("a out")  # another chat: no wait
    assert len(locks) == 0


def test_an_update_delivered_twice_is_seen_once() -> None:
    seen = SeenUpdates(max_entries=2)
    assert not seen.is_duplicate(1) and seen.is_duplicate(1)
    assert not seen.is_duplicate("1") and not seen.is_duplicate("1")  # no id: always handled
    seen.is_duplicate(2)
    seen.is_duplicate(3)
    assert not seen.is_duplicate(1)  # forgotten after max_entries newer ones


def test_inline_keyboard_one_button_per_row() -> None:
    keyboard = inline_keyboard(
        [{"title": "Show the Rectus femoris", "payload": "/ask_more"}, {"title": "", "payload": "/x"}], CallbackData()
    )
    assert keyboard == {"inline_keyboard": [[{"text": "Show the Rectus femoris", "callback_data": "/ask_more"}]]}
    assert inline_keyboard([], CallbackData()) is None


def test_commands_map_to_flows_and_typed_payloads_are_defused() -> None:
    assert user_text("/start") == "/greet"
    assert user_text("/start some-deep-link") == "/greet"
    assert user_text("/help@TriggerPointBot") == "/help"
    assert user_text("/delete") == "/delete_my_data"
    assert user_text("/unknown") == "/help"
    assert user_text('/describe_symptom{"body_part": "knee"}') == 'describe_symptom{"body_part": "knee"}'
    assert user_text("my knee buckles") == "my knee buckles"


def test_setup_refuses_without_variables(capsys: pytest.CaptureFixture[str]) -> None:
    assert register_webhook.main({}) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_TOKEN is not set" in err and "TELEGRAM_WEBHOOK_URL is not set" in err
    assert register_webhook.main({"TELEGRAM_TOKEN": "t", "TELEGRAM_WEBHOOK_URL": "https://x", "TELEGRAM_SECRET_TOKEN": "bad secret!"}) == 2


# ------------------------------------------------------------ fake Bot API


class FakeBotApi:
    """A Bot API on 127.0.0.1 that records every call and can answer 429."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.port = free_port()
        self.calls: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        # (method, chat id) -> how many more calls get a 429
        self.too_many: Dict[Tuple[str, str], int] = {}
        self.message_ids = itertools.count(1)
        self.files: Dict[str, bytes] = {}  # file_id -> content, served by getFile + /file/bot<token>/<path>
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_id}", self._file)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._started.set()
        self._loop.run_forever()

    def start(self) -> FakeBotApi:
        self._thread.start()
        assert self._started.wait(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params: Dict[str, Any] = {}
        if request.content_type == "multipart/form-data":
            for key, value in (await request.post()).items():
                params[key] = value.file.read() if isinstance(value, web.FileField) else value
        else:
            params = await request.json()
        chat = str(params.get("chat_id", ""))
        call = {"method": method, "params": params, "chat": chat, "at": time.monotonic(), "status": 200}
        with self.lock:
            if self.too_many.get((method, chat), 0) > 0:
                self.too_many[(method, chat)] -= 1
                call["status"] = 429
                self.calls.append(call)
                return web.json_response(
                    {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}},
                    status=429,
                )
            self.calls.append(call)
        if method == "getFile":
            known = params.get("file_id") in self.files
            return web.json_response({"ok": known, "result": {"file_id": params.get("file_id"), "file_path": params.get("file_id")}})
        if method in ("sendMessage", "sendPhoto", "sendVoice"):
            return web.json_response({"ok": True, "result": {"message_id": next(self.message_ids), "chat": {"id": chat}, "date": 0}})
        return web.json_response({"ok": True, "result": True})

    async def _file(self, request: web.Request) -> web.Response:
        content = self.files.get(request.match_info["file_id"])
        if request.match_info["token"] != self.token or content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="audio/ogg")

    def of_chat(self, chat: int | str, method: str | None = None, ok_only: bool = True) -> List[Dict[str, Any]]:
        with self.lock:
            return [
                c for c in self.calls
                if c["chat"] == str(chat) and (method is None or c["method"] == method) and (c["status"] == 200 or not ok_only)
            ]

    def wait_for(self, check: Callable[[], Any], timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"timed out; calls so far: {[(c['method'], c['chat'], c['status']) for c in self.calls][-20:]}")

    def texts(self, chat: int | str) -> str:
        return "\n".join(str(c["params"].get("text")) for c in self.of_chat(chat, "sendMessage"))


# -------------------------------------------------- Bot API client, no Rasa


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    yield api
    api.stop()


def test_client_retries_after_429_then_succeeds(fake_api: FakeBotApi) -> None:
    fake_api.too_many[("sendMessage", "7")] = 1

    async def send() -> Any:
        api = BotApi(TOKEN, fake_api.base)
        try:
            return await api.call("sendMessage", {"chat_id": "7", "text": "hi"})
        finally:
            await api.close()

    reply = asyncio.run(send())
    assert reply.ok
    first, second = fake_api.of_chat(7, "sendMessage", ok_only=False)
    assert (first["status"], second["status"]) == (429, 200)
    assert second["at"] - first["at"] >= 0.9


def test_client_gives_up_after_bounded_retries(fake_api: FakeBotApi) -> None:
    fake_api.too_many[("sendMessage", "8")] = 10

    async def send() -> Any:
        api = BotApi(TOKEN, fake_api.base, max_retries=1)
        try:
            return await api.call("sendMessage", {"chat_id": "8", "text": "hi"})
        finally:
            await api.close()

    reply = asyncio.run(send())
    assert not reply.ok and reply.status == 429
    assert len(fake_api.of_chat(8, ok_only=False)) == 2


def test_client_never_raises_when_the_api_is_down() -> None:
    async def send() -> Any:
        api = BotApi(TOKEN, f"http://127.0.0.1:{free_port()}/bot", max_retries=0)
        try:
            return await api.call("sendMessage", {"chat_id": "9", "text": "hi"})
        finally:
            await api.close()

    assert not asyncio.run(send()).ok


# ------------------------------------------------ end to end with the model


@pytest.fixture(scope="module")
def bot_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def telegram_servers(trained_model: Path, bot_api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    env = {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_WEBHOOK_URL": "https://example.invalid/webhooks/telegram/webhook",
        "TELEGRAM_API_BASE": bot_api.base,
        # Check-in reminders (tests/test_telegram_reminders.py): each server
        # looks at the table twice a second, so one made due goes out at once.
        "REMINDER_POLL_SECONDS": "0.5",
    }
    with running_assistant(trained_model, env=env, log_dir=tmp_path_factory.mktemp("telegram-logs")) as running:
        yield running


class Telegram:
    """Posts updates to the webhook as Telegram would."""

    chats = itertools.count(700_001)
    updates = itertools.count(1)

    def __init__(self, servers: Servers) -> None:
        self.url = f"{servers.rasa_url}/webhooks/telegram/webhook"

    def post(self, update: Dict[str, Any], secret: str | None = SECRET) -> requests.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return requests.post(self.url, data=json.dumps(update), headers={**headers, "Content-Type": "application/json"}, timeout=10)

    def message(self, chat: int, text: str | None = None, **extra: Any) -> Dict[str, Any]:
        body: Dict[str, Any] = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
                                "from": {"id": chat, "is_bot": False, "first_name": "Test"}, **extra}
        if text is not None:
            body["text"] = text
        return {"update_id": next(self.updates), "message": body}

    def say(self, chat: int, text: str) -> None:
        answer = self.post(self.message(chat, text))
        assert answer.status_code == 200, answer.text

    def press(self, chat: int, data: str, query_id: str) -> None:
        update = {
            "update_id": next(self.updates),
            "callback_query": {
                "id": query_id, "chat_instance": "1", "data": data,
                "from": {"id": chat, "is_bot": False, "first_name": "Test"},
                "message": {"message_id": 5, "date": 0, "chat": {"id": chat, "type": "private"}},
            },
        }
        answer = self.post(update)
        assert answer.status_code == 200, answer.text


@pytest.fixture
def telegram(telegram_servers: Servers) -> Telegram:
    return Telegram(telegram_servers)


def buttons_of(calls: List[Dict[str, Any]]) -> Dict[str, str]:
    found = {}
    for call in calls:
        for row in (call["params"].get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                found[button["text"]] = button["callback_data"]
    return found


def test_symptom_gets_muscles_photo_and_buttons(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    started = time.monotonic()
    telegram.say(chat, "my knee buckles going down stairs")
    assert time.monotonic() - started < 5  # answered before the assistant thinks
    photo = bot_api.wait_for(lambda: bot_api.of_chat(chat, "sendPhoto"))[0]
    bot_api.wait_for(lambda: buttons_of(bot_api.of_chat(chat, "sendMessage")))
    messages = bot_api.of_chat(chat, "sendMessage")
    assert "<b>Vastus medialis</b>" in messages[0]["params"]["text"]
    assert all(m["params"]["parse_mode"] == "HTML" and len(m["params"]["text"]) <= 4096 for m in messages)
    assert photo["params"]["photo"].startswith(PNG_MAGIC)
    assert "Vastus medialis" in photo["params"]["caption"]
    typing = bot_api.of_chat(chat, "sendChatAction")
    assert typing and typing[0]["params"]["action"] == "typing"
    assert typing[0]["at"] <= messages[0]["at"]


def test_button_press_answers_the_query_and_follows_up(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    telegram.say(chat, "my knee buckles going down stairs")
    # The screening question comes as an inline keyboard; its answer brings the steps.
    screening = bot_api.wait_for(lambda: buttons_of(bot_api.of_chat(chat, "sendMessage")))
    assert {"None of these", "Yes, one does", "Not sure"} <= set(screening)
    assert "Releasing the" not in bot_api.texts(chat)
    telegram.press(chat, screening["None of these"], "query-0")
    bot_api.wait_for(lambda: "Releasing the" in bot_api.texts(chat))
    buttons = bot_api.wait_for(lambda: {t: d for t, d in buttons_of(bot_api.of_chat(chat, "sendMessage")).items() if t.startswith("Show the ")})
    title = next(t for t in buttons if t.startswith("Show the "))
    before = len(bot_api.of_chat(chat, "sendMessage"))
    telegram.press(chat, buttons[title], "query-1")
    bot_api.wait_for(lambda: [c for c in bot_api.calls if c["method"] == "answerCallbackQuery"
                              and c["params"].get("callback_query_id") == "query-1"])
    bot_api.wait_for(lambda: len(bot_api.of_chat(chat, "sendMessage")) > before)
    follow_up = "\n".join(str(c["params"]["text"]) for c in bot_api.of_chat(chat, "sendMessage")[before:])
    assert title.removeprefix("Show the ") in follow_up


def test_the_pain_chart_and_the_summary_go_out_as_photo_and_document(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    telegram.say(chat, "my knee buckles going down stairs")
    screening = bot_api.wait_for(lambda: buttons_of(bot_api.of_chat(chat, "sendMessage")))
    telegram.press(chat, screening["None of these"], "query-diary")
    scores = bot_api.wait_for(lambda: {t: d for t, d in buttons_of(bot_api.of_chat(chat, "sendMessage")).items() if t.isdigit()})
    assert set(scores) == {str(n) for n in range(11)}
    telegram.press(chat, scores["6"], "query-score")
    bot_api.wait_for(lambda: "6 out of 10" in bot_api.texts(chat))
    body_maps = len(bot_api.of_chat(chat, "sendPhoto"))
    telegram.say(chat, "show my progress")
    chart = bot_api.wait_for(lambda: bot_api.of_chat(chat, "sendPhoto")[body_maps:])[0]
    assert chart["params"]["photo"].startswith(PNG_MAGIC) and "0 (none) to 10" in chart["params"]["caption"]
    telegram.say(chat, "make a summary for my physio")
    document = bot_api.wait_for(lambda: bot_api.of_chat(chat, "sendDocument"))[0]
    assert document["params"]["document"].startswith(b"%PDF-")
    assert "physiotherapist" in document["params"]["caption"]


def test_expired_button_is_answered_without_a_turn(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    telegram.press(chat, "#000000000000000000000000", "query-expired")
    answer = bot_api.wait_for(lambda: [c for c in bot_api.calls if c["params"].get("callback_query_id") == "query-expired"])
    assert "expired" in answer[0]["params"]["text"]


def _sentinel(telegram: Telegram, bot_api: FakeBotApi, chat: int) -> str:
    """Send /start and wait for its greeting: updates of one chat are handled
    in order, so anything an earlier update caused has been sent by then."""
    telegram.say(chat, "/start")
    bot_api.wait_for(lambda: "Hi!" in bot_api.texts(chat))
    return bot_api.texts(chat)


def test_wrong_or_missing_secret_is_refused(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    assert telegram.post(telegram.message(chat, "my knee buckles going down stairs"), secret="wrong").status_code == 403
    assert telegram.post(telegram.message(chat, "my knee buckles going down stairs"), secret=None).status_code == 403
    assert telegram.post(telegram.message(chat, "my knee buckles going down stairs"), secret=SECRET[:-1]).status_code == 403
    sent = _sentinel(telegram, bot_api, chat)
    assert "Vastus" not in sent and not bot_api.of_chat(chat, "sendPhoto")


def test_other_update_kinds_are_ignored(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    edited = {"update_id": next(Telegram.updates),
              "edited_message": {"message_id": 1, "date": 0, "edit_date": 1, "chat": {"id": chat, "type": "private"},
                                 "text": "my knee buckles going down stairs"}}
    member = {"update_id": next(Telegram.updates),
              "my_chat_member": {"chat": {"id": chat, "type": "private"}, "from": {"id": chat}, "date": 0,
                                 "old_chat_member": {"status": "member"}, "new_chat_member": {"status": "kicked"}}}
    for update in (edited, member, {"update_id": next(Telegram.updates)}):
        answer = telegram.post(update)
        assert answer.status_code == 200, answer.text
    assert telegram.post([1, 2]).status_code == 400  # type: ignore[arg-type]
    sent = _sentinel(telegram, bot_api, chat)
    assert "Vastus" not in sent and not bot_api.of_chat(chat, "sendPhoto")
    assert len(bot_api.of_chat(chat, "sendMessage")) == 1


def test_duplicate_update_is_handled_once(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    update = telegram.message(chat, "/help")
    assert telegram.post(update).status_code == 200
    assert telegram.post(update).status_code == 200
    _sentinel(telegram, bot_api, chat)
    assert bot_api.texts(chat).count("Tell me in your own words") == 1


def test_commands_reach_their_flows(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    telegram.say(chat, "/help")
    bot_api.wait_for(lambda: "Tell me in your own words" in bot_api.texts(chat))
    telegram.say(chat, "/delete")
    bot_api.wait_for(lambda: "delet" in bot_api.texts(chat).split("Tell me in your own words")[-1].lower())


def test_voice_note_is_heard_answered_and_read_aloud(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    wav = speak_as("my knee buckles going downstairs", "espeak:en-us+f3", 120)
    bot_api.files["voice-1"] = convert(["-c:a", "libopus", "-f", "ogg"], wav)
    telegram.post(telegram.message(chat, voice={"file_id": "voice-1", "file_unique_id": "v1", "duration": 3}))
    note = bot_api.wait_for(lambda: bot_api.of_chat(chat, "sendVoice"))[0]
    heard = bot_api.texts(chat)
    assert "I heard" in heard and "knee" in heard and "Vastus medialis" in heard
    assert note["params"]["voice"][:4] == b"OggS"
    assert bot_api.of_chat(chat, "sendPhoto")  # the body map, as for typed symptoms


def test_a_voice_note_that_may_hide_a_red_flag_gets_one_question(telegram: Telegram, bot_api: FakeBotApi) -> None:
    """ "Welding myself" sounds like "wetting myself": asked once, and yes is the urgent reply."""
    chat = next(Telegram.chats)
    wav = speak_as("my glutes are tight and I've been welding myself", "flite:slt", 150)
    bot_api.files["voice-check"] = convert(["-c:a", "libopus", "-f", "ogg"], wav)
    telegram.post(telegram.message(chat, voice={"file_id": "voice-check", "file_unique_id": "vc", "duration": 3}))
    bot_api.wait_for(lambda: bot_api.of_chat(chat, "sendVoice"))
    assert "did you say you've been wetting yourself" in bot_api.texts(chat)
    assert "Releasing the" not in bot_api.texts(chat)
    telegram.say(chat, "yes")
    bot_api.wait_for(lambda: "emergency" in bot_api.texts(chat))


def test_unplayable_voice_note_gets_a_polite_reply(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    bot_api.files["junk"] = b"not audio at all" * 40
    telegram.post(telegram.message(chat, voice={"file_id": "junk", "file_unique_id": "j", "duration": 2}))
    telegram.post(telegram.message(chat, voice={"file_id": "missing", "file_unique_id": "m", "duration": 2}))
    bot_api.wait_for(lambda: bot_api.texts(chat).count("couldn't play that voice note") == 2)
    assert not bot_api.of_chat(chat, "sendVoice")


def test_429_is_retried_then_delivered(telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    bot_api.too_many[("sendMessage", str(chat))] = 1
    telegram.say(chat, "/start")
    bot_api.wait_for(lambda: "Hi!" in bot_api.texts(chat))
    attempts = bot_api.of_chat(chat, "sendMessage", ok_only=False)
    assert [a["status"] for a in attempts] == [429, 200]
    assert attempts[1]["at"] - attempts[0]["at"] >= 0.9
    assert attempts[0]["params"]["text"] == attempts[1]["params"]["text"]


def test_disabled_without_token(servers: Servers) -> None:
    """The shared servers run without Telegram variables: the route exists
    and says the channel is not configured."""
    answer = requests.post(f"{servers.rasa_url}/webhooks/telegram/webhook", json={"update_id": 1}, timeout=10)
    assert answer.status_code == 503
    assert requests.get(f"{servers.rasa_url}/webhooks/telegram/", timeout=10).json() == {"status": "disabled"}


def test_no_message_text_in_logs(telegram_servers: Servers, telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    bot_api.too_many[("sendMessage", str(chat))] = 4  # the first reply fails (logged)
    telegram.say(chat, "my hamstring zingles when I sit on the bus")
    bot_api.wait_for(lambda: len(bot_api.of_chat(chat, "sendMessage", ok_only=False)) >= 4)
    _sentinel(telegram, bot_api, chat)
    logs = "".join(p.read_text(errors="replace") for p in telegram_servers.log_dir.glob("*.log"))
    assert "zingles" not in logs
