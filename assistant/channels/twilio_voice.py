"""Phone calls through Twilio: TwiML with `<Gather input="speech">`.

Rasa 3.6's `twilio_voice` channel checks no signature, keys callers by their
raw phone number (and everyone without one shares a conversation), answers
500 to a reply without text and never hangs up. This one:

- answers 503 while TWILIO_AUTH_TOKEN is unset, and 403 unless
  `X-Twilio-Signature` is valid for the public webhook URL (twilio's own
  RequestValidator);
- keys a caller by a keyed hash of their number (so "welcome back" works
  across calls without storing the number), or by the call when the number
  is withheld;
- speaks the short form the voice channel speaks (voice/spoken.py: the
  likely muscle and why, the first step, "say next for the next step, or
  other muscles"), and "next", "repeat", "slower" (said slower),
  "other muscles" and "stop" walk it; a spoken button title picks the button;
- gives the phone's recogniser hints: the answers the last reply offered
  and the commands first, then the knowledge base's words;
- asks once about a red flag its recogniser may have misheard (the same
  comparison by sound as the voice channel's), and takes the answer to any
  red-flag question by voice or keypad, saying which keys: 1 for yes, 2 for
  no (a caller may not see a screen);
- reprompts on silence and hangs up after three silences or a goodbye;
- serves TwiML as UTF-8 and says so (the replies have curly quotes).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.twilio_voice import TwilioVoiceInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from assistant.channels.guard import ACTIONS_DOWN, DEFAULT_RATE_LIMIT, RateLimiter, clean_text, rate_limit_setting, refusal
from assistant.channels.rest import DEFAULT_ACTION_TIMEOUT, Turns
from assistant.channels.voice import last_reply, spoken_turn
from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.misheard import as_metadata
from assistant.voice.hypotheses import possible_red_flag
from assistant.voice.service import VoiceService, shared_service
from assistant.voice.spoken import Said

SIGNATURE_HEADER = "X-Twilio-Signature"
GREETING = "/greet"
NOT_HEARD = "Sorry, I didn't hear anything. Tell me where it hurts and what it feels like."
HANG_UP_AFTER_SILENCES = 3
GOODBYE = "Take care. Goodbye."
MAX_HINTS = 400  # Twilio accepts up to 500 hint phrases
SLOW_RATE = "80%"  # "slower", as SSML prosody
TWIML = "text/xml; charset=utf-8"
# Said after a red-flag question: what the keys mean.
KEYPAD = "You can also press 1 for yes, or 2 for no."
YES_NO_KEYS = {"1": "yes", "2": "no"}
# Below this confidence of Twilio's recogniser, each word heard is doubted
# (it may sound like a red-flag word of one word).
DOUBTFUL_CONFIDENCE = 0.5
_PHONE = re.compile(r"^\+?\d{6,15}$")


def speech_hints(kb: Knowledge) -> str:
    """Comma-separated phrases for Twilio's recogniser: muscles, body areas,
    sensations and tools, shortest first (the commonest words)."""
    phrases = [m.name for m in kb.muscles.values()]
    for kind in ("areas", "sensations", "tools", "conditions"):
        for term in getattr(kb.vocabulary, kind):
            phrases += [term.name, *term.synonyms]
    unique = sorted({p.lower() for p in phrases if "," not in p and len(p) <= 100}, key=lambda p: (len(p), p))
    return ", ".join(unique[:MAX_HINTS])


def asks_yes_no(messages: List[Dict[str, Any]]) -> bool:
    """Is this reply the one red-flag question (answered by voice or keypad)?"""
    return any(isinstance(m.get("custom"), dict) and m["custom"].get("type") == "red_flag_check" for m in messages)


def heard_words(form: Dict[str, str]) -> str:
    """What the caller said, or the key they pressed as its word."""
    digits = (form.get("Digits") or "").strip()
    return YES_NO_KEYS.get(digits[:1], "") if digits else clean_text(form.get("SpeechResult") or "")


def misheard_on_phone(speech: str, form: Dict[str, str]) -> Dict[str, Any] | None:
    """The turn's metadata when the phone's transcript may hide a red flag."""
    try:
        confidence = float(form.get("Confidence") or 1.0)
    except ValueError:
        confidence = 1.0
    doubtful = speech.lower().split() if confidence < DOUBTFUL_CONFIDENCE else ()
    found = possible_red_flag(speech, (), doubtful) if not speech.startswith("/") else None
    return as_metadata(found.rule, found.heard) if found else None


def caller_key(form: Dict[str, str], secret: str) -> str:
    number = (form.get("From") or "").strip()
    if _PHONE.match(number):
        digest = hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()[:24]
        return f"phone-{digest}"
    return f"call-{(form.get('CallSid') or 'unknown')[:64]}"


class SafeTwilioVoiceInput(TwilioVoiceInput):
    @classmethod
    def name(cls) -> str:
        return "twilio_voice"

    def __init__(
        self,
        auth_token: str = "",
        webhook_url: str = "",
        assistant_voice: str = "Polly.Joanna",
        speech_timeout: str = "3",
        rate_limit: int = DEFAULT_RATE_LIMIT,
        deadline: float = DEFAULT_ACTION_TIMEOUT + 0.5,
        service: VoiceService | None = None,
    ) -> None:
        super().__init__(None, NOT_HEARD, assistant_voice, speech_timeout, "phone_call", "false")
        # Only its reading places: the phone has its own recogniser and voice.
        self.service = service or shared_service()
        self.auth_token, self.webhook_url = auth_token.strip(), webhook_url.strip()
        self.validator = RequestValidator(self.auth_token)
        self.limiter = RateLimiter(rate_limit)
        self.turns = Turns(deadline)
        self.silences: OrderedDict[str, int] = OrderedDict()
        self.hints = speech_hints(default_knowledge())

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            auth_token=str(credentials.get("auth_token") or ""),
            webhook_url=str(credentials.get("webhook_url") or ""),
            assistant_voice=str(credentials.get("assistant_voice") or "Polly.Joanna"),
            speech_timeout=str(credentials.get("speech_timeout") or "3"),
            rate_limit=rate_limit_setting(credentials.get("rate_limit_per_minute")),
            deadline=float(credentials.get("action_timeout") or DEFAULT_ACTION_TIMEOUT) + 0.5,
        )

    def signed(self, request: Request, form: Dict[str, str]) -> bool:
        # Twilio signs the public URL it called; behind a proxy that is not
        # the URL this server sees, hence the webhook_url setting.
        url = self.webhook_url or request.url
        return self.validator.validate(url, form, request.headers.get(SIGNATURE_HEADER) or "")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("safe_twilio_voice_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.auth_token else "disabled"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.auth_token:
                return response.json({"error": "the phone channel is not configured"}, status=503)
            form = {key: request.form.get(key) for key in request.form} if request.form else {}
            if not self.signed(request, form):
                return response.json({"error": "invalid Twilio signature"}, status=403)
            sender, call = caller_key(form, self.auth_token), form.get("CallSid") or ""
            speech = heard_words(form)
            if not speech and form.get("CallStatus") == "ringing":
                speech = GREETING
            if not speech:
                return self.twiml(self.on_silence(call))
            self.silences.pop(call, None)
            early = refusal(speech, sender, self.limiter)
            if early:
                return self.twiml(self.say_and_listen(Said(early, False)))
            agent = request.app.ctx.agent
            last = await last_reply(agent, sender)

            async def run(text: str, metadata: Dict[str, Any] | None) -> List[Dict[str, Any]]:
                message = UserMessage(text, CollectingOutputChannel(), sender, input_channel=self.name(), metadata=metadata)
                return await self.turns.run(on_new_message, message)

            turn = await spoken_turn(self.service, last, sender, speech, run, misheard_on_phone(speech, form))
            hints = turn.script.expected()
            keypad = asks_yes_no(turn.messages or last.messages)
            said_goodbye = False
            if turn.messages:
                tracker = await agent.tracker_store.retrieve(sender)
                said_goodbye = bool(tracker) and (tracker.latest_message.intent or {}).get("name") == "goodbye"
            if said_goodbye:
                return self.twiml(self.say_and_hang_up(turn.said))
            said = Said(f"{turn.said.text} {KEYPAD}", turn.said.slow) if keypad else turn.said
            return self.twiml(self.say_and_listen(said, hints, keypad))

        return webhook

    def on_silence(self, call: str) -> VoiceResponse:
        count = self.silences.pop(call, 0) + 1
        if count >= HANG_UP_AFTER_SILENCES:
            return self.say_and_hang_up(Said(GOODBYE, False))
        self.silences[call] = count
        while len(self.silences) > 10_000:
            self.silences.popitem(last=False)
        return self.say_and_listen(Said(NOT_HEARD, False))

    def say(self, parent: VoiceResponse | Gather, said: Said) -> None:
        text = said.text.strip() or ACTIONS_DOWN
        if said.slow:
            parent.say(voice=self.assistant_voice).prosody(text, rate=SLOW_RATE)
        else:
            parent.say(text, voice=self.assistant_voice)

    def say_and_listen(self, said: Said, expected: List[str] | None = None, keypad: bool = False) -> VoiceResponse:
        """The spoken reply inside a Gather that listens, with the answers
        it offers as the first hints; `keypad`: a key press answers too."""
        twiml = VoiceResponse()
        hints = ", ".join(dict.fromkeys([*(p.lower().replace(",", "") for p in expected or []), self.hints]))
        keys = {"numDigits": 1} if keypad else {}
        gather = Gather(
            input="speech dtmf" if keypad else "speech",
            action=f"/webhooks/{self.name()}/webhook",
            actionOnEmptyResult=True,
            speechTimeout=self.speech_timeout,
            speechModel=self.speech_model,
            hints=hints,
            **keys,
        )
        self.say(gather, said)
        twiml.append(gather)
        return twiml

    def say_and_hang_up(self, said: Said) -> VoiceResponse:
        twiml = VoiceResponse()
        self.say(twiml, said)
        twiml.hangup()
        return twiml

    @staticmethod
    def twiml(twiml: VoiceResponse) -> HTTPResponse:
        return response.text(str(twiml), content_type=TWIML)
