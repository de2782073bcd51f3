"""Make a retried REST message safe: answered once, stored once.

Behind the cluster's proxy a message whose Rasa server died mid-turn is sent
again to a surviving server with the same request id. The dead server may
or may not have saved the turn before it died. Under the conversation's lock
the survivor looks for a user message with that id: if it is there, it
sends the stored replies of that turn again instead of running it a second
time. Installed at start-up by assistant/nlp/layer.py, in stock mode too:
it keeps a message from being stored twice.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

_original_handle_message = MessageProcessor.handle_message


class RetryableMessage(UserMessage):
    """A message whose id the client (or the proxy) keeps across retries."""


def stored_replies(tracker: DialogueStateTracker, message_id: str) -> List[BotUttered] | None:
    """The bot messages of the turn started by `message_id`, or None when
    no stored user message has that id."""
    replies: List[BotUttered] | None = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif isinstance(event, BotUttered) and replies is not None:
            replies.append(event)
    return replies


async def handle_message(self: MessageProcessor, message: UserMessage) -> List[Dict[str, Any]] | None:
    # Rasa calls this with the conversation's lock held, so no other server
    # can be storing the same turn while we look.
    if isinstance(message, RetryableMessage) and message.message_id:
        tracker = await self.get_tracker(message.sender_id)
        replies = stored_replies(tracker, message.message_id)
        if replies is not None:
            for reply in replies:
                await message.output_channel.send_response(message.sender_id, reply.message())
            if isinstance(message.output_channel, CollectingOutputChannel):
                return message.output_channel.messages
            return None
    return await _original_handle_message(self, message)


def install() -> None:
    MessageProcessor.handle_message = handle_message
