"""HTTP voice channel: audio in, the transcript, the replies and the replies'
audio out. The browser's microphone button and any app that records speech
post here; the phone and Telegram channels share its recogniser and its
short spoken answers.

POST /webhooks/voice/webhook with either
- multipart/form-data: an `audio` file and a `sender` field, or
- the raw audio as the body (WAV, OGG/Opus, WebM...) and `?sender=...`.

Answer (JSON): {"sender", "transcript", "messages": [REST reply contract,
every message whole], "spoken": the short form read aloud (voice/spoken.py),
"audio": base64 of it, "audio_type"}: MP3 unless `?format=wav` or
`?format=ogg` asks otherwise; `?format=none` reads nothing aloud (clients
that show text only, and the voice evaluation). With `?stream=true`,
"audio" holds only the first seconds and "audio_more" the path of the rest
(GET it once, while the first part plays; null when there is no rest). "next", "repeat", "slower", "other muscles"
and "stop" walk the last reply's spoken form: no turn, no new messages.
Bad audio is a 400 naming the problem, oversized audio a 413; silence gets a
spoken "I didn't catch that" and no turn.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.channels.guard import (
    DEFAULT_RATE_LIMIT,
    SLOW_DOWN,
    RateLimiter,
    allowed_origins,
    origin_allowed,
    rate_limit_setting,
)
from assistant.channels.rest import BAD_SENDER, DEFAULT_ACTION_TIMEOUT, Turns, bad_request, valid_sender
from assistant.misheard import as_metadata
from assistant.understand import triage
from assistant.voice.audio import ENCODINGS, AudioError
from assistant.voice.choices import match_button
from assistant.voice.hypotheses import acted_on, possible_red_flag
from assistant.voice.recognize import Transcript
from assistant.voice.service import MAX_AUDIO_BYTES, VoiceService, shared_service
from assistant.voice.spoken import Said, Script, command_of, script_for
from assistant.voice.streamed import PendingAudio, split_for_streaming
from assistant.voice.text import normalise

logger = logging.getLogger(__name__)

TEXT_ONLY = "none"  # ?format=none: the transcript and replies, nothing read aloud
NOT_HEARD = "Sorry, I didn't catch that. Could you say it again, a little slower and closer to the microphone?"


def as_message(event: BotUttered) -> Dict[str, Any]:
    """A stored bot message as channels send it: text, buttons, custom payload."""
    data = event.data or {}
    message: Dict[str, Any] = {"text": event.text} if event.text else {}
    for key in ("buttons", "custom", "image"):
        if data.get(key):
            message[key] = data[key]
    return message


@dataclass
class LastReply:
    """The conversation's last reply, from the stored conversation (so a
    typed turn in between, or another server of a cluster, can't leave it
    stale), and the latest muscles it suggested."""

    messages: List[Dict[str, Any]] = field(default_factory=list)
    suggestions: Dict[str, Any] | None = None

    @property
    def buttons(self) -> List[Dict[str, Any]]:
        return [b for m in self.messages for b in m.get("buttons") or [] if isinstance(b, dict)]

    def script(self) -> Script:
        return script_for(self.messages, self.suggestions)


def suggestions_in(messages: List[Dict[str, Any]]) -> Dict[str, Any] | None:
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "muscle_suggestions":
            return custom
    return None


async def last_reply(agent: Any, sender: str) -> LastReply:
    tracker = await agent.tracker_store.retrieve(sender) if agent is not None else None
    reply, in_last_turn = LastReply(), True
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, UserUttered):
            in_last_turn = False
        elif isinstance(event, SessionStarted):
            break
        elif isinstance(event, BotUttered):
            message = as_message(event)
            if in_last_turn:
                reply.messages.insert(0, message)
            if reply.suggestions is None:
                reply.suggestions = suggestions_in([message])
            if reply.suggestions is not None and not in_last_turn:
                break
    return reply


def heard_as(last: LastReply, transcript: Transcript) -> str:
    """What to act on of what the recogniser heard (voice/hypotheses.py):
    after a red flag, a reading that answers the last message's offers (a
    command, a button, "delete my data") goes before one naming a muscle."""
    script = last.script()
    offered = [f" {phrase} " for phrase in map(normalise, script.expected()) if phrase]

    def is_answer(text: str) -> bool:
        if command_of(text, near=script.walkable) is not None or match_button(text, last.buttons) is not None:
            return True
        said = f" {normalise(text)} "
        return any(phrase in said for phrase in offered)

    return acted_on(transcript.text, transcript.alternatives, is_answer)


def misheard_in(transcript: Transcript) -> Dict[str, Any] | None:
    """The turn's metadata when what was heard may hide a red flag by sound
    (safety then asks once), else None."""
    found = possible_red_flag(transcript.text, transcript.alternatives)
    return as_metadata(found.rule, found.heard) if found else None


# Runs a turn for a text with the channel's metadata; returns the replies.
RunTurn = Callable[[str, Dict[str, Any] | None], Awaitable[List[Dict[str, Any]]]]


@dataclass(frozen=True)
class SpokenTurn:
    messages: List[Dict[str, Any]]  # the written replies, whole (none for a spoken command)
    said: Said  # what is read aloud
    script: Script  # the spoken form it comes from: what the next answer may be


async def spoken_turn(
    service: VoiceService,
    last: LastReply,
    sender: str,
    transcript: str,
    run: RunTurn,
    metadata: Dict[str, Any] | None = None,
) -> SpokenTurn:
    """A spoken command ("next", "repeat", "slower", "other muscles",
    "stop") walks the last reply's spoken form without a turn; anything else
    is a turn (a spoken button title presses the button) whose short spoken
    form is read from the top. `metadata` goes with the turn (a possible
    red flag heard: misheard_in)."""
    script = last.script()
    # Words that raise a red flag, or may, are always a turn, whatever they sound like.
    possible = triage(transcript).flagged or metadata is not None
    command = command_of(transcript, near=script.walkable) if script.parts and not possible else None
    if command is not None:
        return SpokenTurn([], service.readings.follow(sender, script, command), script)
    messages = await run(match_button(transcript, last.buttons) or transcript, metadata)
    new = script_for(messages, suggestions_in(messages) or last.suggestions)
    return SpokenTurn(messages, service.readings.start(sender, new), new)


FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def audio_and_sender(request: Request) -> tuple[bytes, str | None]:
    if request.content_type.split(";")[0].strip() in FORMS:
        upload = request.files.get("audio") if request.files else None
        return (upload.body if upload is not None else b""), (request.form.get("sender") if request.form else None)
    return request.body or b"", request.args.get("sender")


class VoiceInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "voice"

    def __init__(
        self,
        service: VoiceService | None = None,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        deadline: float = DEFAULT_ACTION_TIMEOUT + 0.5,
        origins: str = "",
    ) -> None:
        self.service = service or shared_service()
        self.limiter = RateLimiter(rate_limit)
        self.turns = Turns(deadline)
        self.origins = allowed_origins(origins)
        self.pending = PendingAudio()

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        timeout = float(credentials.get("action_timeout") or DEFAULT_ACTION_TIMEOUT)
        return cls(
            rate_limit=rate_limit_setting(credentials.get("rate_limit_per_minute")),
            deadline=timeout + 0.5,
            origins=str(credentials.get("allowed_origins") or ""),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("voice_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not origin_allowed(request.headers.get("origin"), request.host, self.origins):
                return response.json({"error": "this page's origin may not use the assistant"}, status=403)
            audio, sender = audio_and_sender(request)
            if sender is None or not valid_sender(sender):
                return bad_request(BAD_SENDER)
            if not audio:
                return bad_request("no audio: send it as the 'audio' file of a form, or as the body")
            if len(audio) > MAX_AUDIO_BYTES:
                return response.json({"error": "the recording is too long; keep it under a minute"}, status=413)
            kind = request.args.get("format") or "mp3"
            if kind not in (*ENCODINGS, TEXT_ONLY):
                return bad_request(f"'format' must be one of {', '.join((*ENCODINGS, TEXT_ONLY))}")
            stream = request.args.get("stream", "").lower() in ("1", "true", "yes")
            if not self.limiter.allow(sender):
                return await self.answer(sender, "", [{"recipient_id": sender, "text": SLOW_DOWN}], kind, stream=stream)
            loop = asyncio.get_running_loop()
            agent = request.app.ctx.agent
            last = await last_reply(agent, sender)
            try:
                heard = await loop.run_in_executor(None, self.service.hear, audio, last.script().expected())
            except AudioError as error:
                return bad_request(str(error))
            if not heard.text:
                return await self.answer(sender, "", [{"recipient_id": sender, "text": NOT_HEARD}], kind, stream=stream)

            async def run(text: str, metadata: Dict[str, Any] | None) -> List[Dict[str, Any]]:
                message = UserMessage(text, CollectingOutputChannel(), sender, input_channel=self.name(), metadata=metadata)
                return await self.turns.run(on_new_message, message)

            text = heard_as(last, heard)
            turn = await spoken_turn(self.service, last, sender, text, run, misheard_in(heard))
            return await self.answer(sender, text, turn.messages, kind, turn.said, stream)

        @webhook.route("/audio/<token>", methods=["GET"])
        async def rest_of_reply(_: Request, token: str) -> HTTPResponse:
            pending = self.pending.take(token)
            if pending is None:
                return response.json({"error": "no such reply audio: it was fetched already or is too old"}, status=404)
            try:
                audio = await asyncio.wait_for(pending.audio, timeout=60)
            except Exception:
                return response.json({"error": "the rest of the reply could not be read aloud"}, status=503)
            return response.raw(audio, content_type=pending.content_type)

        return webhook

    async def answer(
        self,
        sender: str,
        transcript: str,
        messages: List[Dict[str, Any]],
        kind: str,
        said: Said | None = None,
        stream: bool = False,
    ) -> HTTPResponse:
        """The JSON answer: the written replies whole, and what is read aloud."""
        spoken = said or Said(" ".join(str(m.get("text") or "") for m in messages).strip(), False)
        now, later = split_for_streaming(spoken.text) if stream else (spoken.text, "")
        loop = asyncio.get_running_loop()
        try:
            audio = b"" if kind == TEXT_ONLY else await loop.run_in_executor(None, self.service.say, now, kind, spoken.slow)
        except Exception:
            # The words still reach the person; only the reading aloud failed.
            logger.exception("Reading a reply aloud failed.")
            audio = b""
        more = None
        if audio and later:
            # Started only now, so the first part had the core to itself.
            rest = loop.run_in_executor(None, self.service.say, later, kind, spoken.slow)
            more = f"/webhooks/voice/audio/{self.pending.put(rest, ENCODINGS[kind][1])}"
        return response.json(
            {
                "sender": sender,
                "transcript": transcript,
                "messages": messages,
                "spoken": spoken.text,
                "audio": base64.b64encode(audio).decode("ascii"),
                "audio_type": ENCODINGS[kind][1] if kind in ENCODINGS else "",
                "audio_more": more,
            }
        )
