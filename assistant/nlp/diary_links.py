"""Which conversation a diary download link belongs to.

The chart and summary links carry an unguessable token and nothing else
(no sender id: a web session id in a URL would let anyone who sees it join
the chat). The action that makes a link records it in the `diary_exports`
slot; when the tracker store saves that turn it notes token -> conversation
here, in the same transaction as the events. "Delete my data" removes the
conversation's rows with its events, and a link also stops after its hour.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, List, Tuple

import sqlalchemy as sa
from rasa.shared.core.events import Event, SlotSet

SLOT = "diary_exports"

LINKS = sa.Table(
    "diary_links",
    sa.MetaData(),
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("expires_at", sa.Float, nullable=False),
)


def made(events: Iterable[Event]) -> List[Tuple[str, float]]:
    """(token, expiry) of the links the events record."""
    found = {}
    for event in events:
        if isinstance(event, SlotSet) and event.key == SLOT and isinstance(event.value, dict):
            for token, export in event.value.items():
                if isinstance(export, dict) and isinstance(export.get("expires"), (int, float)):
                    found[str(token)] = float(export["expires"])
    return list(found.items())


def record(session: Any, sender_id: str, events: Iterable[Event]) -> None:
    """Note the links these events make (within the caller's transaction),
    and then drop any that have expired: only then, so a turn that makes no
    link costs no extra statement."""
    links = made(events)
    if not links:
        return
    session.execute(LINKS.delete().where(LINKS.c.expires_at < time.time()))
    known = set(session.execute(sa.select(LINKS.c.token).where(LINKS.c.token.in_([t for t, _ in links]))).scalars())
    rows = [{"token": t, "sender_id": sender_id, "expires_at": e} for t, e in links if t not in known]
    if rows:
        session.execute(LINKS.insert(), rows)


def owner(session: Any, token: str) -> str | None:
    """The conversation a live link belongs to; None when unknown or expired."""
    query = sa.select(LINKS.c.sender_id).where(LINKS.c.token == token, LINKS.c.expires_at >= time.time())
    return session.execute(query).scalar_one_or_none()


def forget(session: Any, sender_id: str) -> None:
    session.execute(LINKS.delete().where(LINKS.c.sender_id == sender_id))
