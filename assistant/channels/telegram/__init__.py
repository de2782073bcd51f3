"""Telegram channel: a Bot API webhook with our own safety rules.

Rasa 3.6's built-in Telegram channel checks no secret token, calls getMe on
every update, turns handler errors into a 500 (Telegram then retries for a
day) and has a fixed API address. This one:

- answers 503 while it is not configured (TELEGRAM_TOKEN or
  TELEGRAM_SECRET_TOKEN unset): the server still starts, the route exists,
  and Telegram keeps the updates until the bot is configured;
- checks `X-Telegram-Bot-Api-Secret-Token` on every call (403 otherwise,
  compared in constant time);
- answers every update with 200 at once and does the work in a background
  task: messages, button presses (callback queries) and /start, /help and
  /delete; other update kinds are ignored;
- lets Rasa handle the whole turn first (the tracker is saved) and only then
  sends the replies, so a failed send never loses the user's message; send
  errors are logged without any message text and never raise into Rasa;
- transcribes voice notes offline (assistant/voice), says what it heard,
  answers in text (whole) and then with a voice note of the short spoken
  form; a spoken button title ("the same") picks that button, and "next",
  "repeat", "slower", "other muscles" or "stop" walk the spoken form;
- sends text as HTML in pieces of at most 4096 characters, buttons as an
  inline keyboard, the body map of suggested muscles as a photo, "typing"
  while the assistant thinks, and retries when the Bot API says 429.

Conversations are keyed "telegram-<chat id>". Updates of one chat are
handled one after the other, in order.

The parts: `bot_api` (the client), `webhook` (the input channel), `output`
(replies as Telegram messages), `chats` (per-chat locks, update ids seen,
callback ids), `voice_notes`, `typing_indicator`, `format` (pure text
helpers) and `register_webhook` (`make telegram-webhook`).
"""
