"""Check-in reminders end to end in Telegram: set in words, sent through the
Bot API stub when due, answered with a score, kept over a server restart
without a repeat, stopped in words. A reminder "falls due" by moving its
stored next run into the past, the way the time would pass for a stopped
server: no waiting for a real evening."""

from __future__ import annotations

import sqlite3
from typing import List

import sqlalchemy as sa

from assistant.nlp.reminder_jobs import job_id, job_store
from assistant.tools.servers import Servers
from tests import test_telegram
from tests.test_reminders import make_due
from tests.test_telegram import FakeBotApi, Telegram

CHECK_IN = "Time for your check-in"


# The Telegram tests' Bot API stub, servers and webhook poster, started
# afresh for this module.
bot_api = test_telegram.bot_api
telegram_servers = test_telegram.telegram_servers
telegram = test_telegram.telegram


def database(servers: Servers) -> sa.engine.Engine:
    return sa.create_engine(f"sqlite:///{servers.env['TRACKER_DB']}")


def check_ins(bot_api: FakeBotApi, chat: int) -> List[str]:
    return [c["params"]["text"] for c in bot_api.of_chat(chat, "sendMessage") if CHECK_IN in str(c["params"].get("text"))]


def reply_to(telegram: Telegram, bot_api: FakeBotApi, chat: int, text: str, expect: str = "") -> str:
    """The texts sent after `text`, once one of them holds `expect`."""
    before = len(bot_api.of_chat(chat, "sendMessage"))

    def replies() -> List[str]:
        return [str(c["params"].get("text")) for c in bot_api.of_chat(chat, "sendMessage")[before:]]

    telegram.say(chat, text)
    bot_api.wait_for(lambda: any(expect in reply for reply in replies()))
    return "\n".join(replies())


def test_a_reminder_set_in_words_fires_as_a_message_that_asks_for_the_score(
    telegram_servers: Servers, telegram: Telegram, bot_api: FakeBotApi
) -> None:
    chat = next(Telegram.chats)
    reply_to(telegram, bot_api, chat, "my knee buckles going down the stairs", "Answer none, yes or not sure")
    answer = reply_to(telegram, bot_api, chat, "remind me every evening at 8", "every day at 8 pm")
    assert "UK time" in answer and "stop the reminders" in answer
    reply_to(telegram, bot_api, chat, "make it 9 instead", "every day at 9 pm")
    make_due(database(telegram_servers), f"telegram-{chat}")
    bot_api.wait_for(lambda: check_ins(bot_api, chat))
    sent = [c for c in bot_api.of_chat(chat, "sendMessage") if CHECK_IN in str(c["params"].get("text"))]
    assert sent[0]["params"]["text"].endswith("today, 0 to 10?")
    assert [b["text"] for row in sent[0]["params"]["reply_markup"]["inline_keyboard"] for b in row] == [str(n) for n in range(11)]
    assert "Noted: 6 out of 10" in reply_to(telegram, bot_api, chat, "6", "Noted")
    reply_to(telegram, bot_api, chat, "stop the reminders", "no more check-in reminders")
    assert job_store(database(telegram_servers)).lookup_job(job_id(f"telegram-{chat}")) is None


def test_a_reminder_due_while_the_server_is_down_fires_once_after_it_starts(
    telegram_servers: Servers, telegram: Telegram, bot_api: FakeBotApi
) -> None:
    chat = next(Telegram.chats)
    reply_to(telegram, bot_api, chat, "remind me every Monday at 9am", "every Monday at 9 am")
    telegram_servers.stop("rasa")
    make_due(database(telegram_servers), f"telegram-{chat}")
    telegram_servers.start_rasa()
    bot_api.wait_for(lambda: check_ins(bot_api, chat))
    # Stopped and started again: the fire is not repeated (the next is a week on).
    telegram_servers.stop("rasa")
    telegram_servers.start_rasa()
    reply_to(telegram, bot_api, chat, "thanks")
    assert len(check_ins(bot_api, chat)) == 1
    with sqlite3.connect(telegram_servers.env["TRACKER_DB"]) as connection:
        fires = connection.execute("select count(*) from reminder_fires where sender_id = ?", (f"telegram-{chat}",)).fetchone()[0]
    assert fires == 1


def test_delete_my_data_removes_the_reminder(telegram_servers: Servers, telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    reply_to(telegram, bot_api, chat, "remind me every evening at 7", "every day at 7 pm")
    assert job_store(database(telegram_servers)).lookup_job(job_id(f"telegram-{chat}")) is not None
    reply_to(telegram, bot_api, chat, "delete my data")
    bot_api.wait_for(lambda: job_store(database(telegram_servers)).lookup_job(job_id(f"telegram-{chat}")) is None)


def test_no_chat_id_or_message_text_in_the_logs(telegram_servers: Servers, telegram: Telegram, bot_api: FakeBotApi) -> None:
    chat = next(Telegram.chats)
    reply_to(telegram, bot_api, chat, "remind me every evening at 6", "every day at 6 pm")
    make_due(database(telegram_servers), f"telegram-{chat}")
    bot_api.wait_for(lambda: check_ins(bot_api, chat))
    log = telegram_servers.log("rasa").read_text(errors="replace")
    assert "Sent a check-in reminder" in log
    assert str(chat) not in log
    assert "remind me every evening" not in log
