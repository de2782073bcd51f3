"""The shape every reply takes before a channel renders it (pure)."""

from __future__ import annotations

from typing import Dict

# Any of "text", "buttons" ([{title, payload}]), "custom" (machine-readable
# payload) and "image"; channels render what they can.
Message = Dict[str, object]


def capitalised(text: str) -> str:
    """First letter upper case, the rest as written ("IT band" stays)."""
    return text[:1].upper() + text[1:]
