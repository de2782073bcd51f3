"""Giving back the memory a voice turn used, where the C library allows it.

Recognising a recording and saying a reply allocate tens of megabytes of
short-lived buffers (audio, Whisper's log-Mel features, Piper's tensors) in
whichever executor thread runs them. glibc keeps what was freed in the
thread's own arena for reuse, so the server's resident size grew to the
peak of every thread's turns (about 210 MB above what the models need,
`make bench`). Two calls stop that: one arena for every thread (the GIL
serialises most of this work anyway) and `malloc_trim` shortly after each
turn (service.py), which hands the freed pages back (about 10 ms).

Elsewhere than glibc (musl, macOS) both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from functools import lru_cache
from typing import Any

M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = 1

_limited = threading.Lock()
_done = False


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def available() -> bool:
    return _libc() is not None


def share_one_arena() -> bool:
    """From now on, threads allocate from the main arena instead of one
    each. True when the C library took the setting."""
    global _done
    libc = _libc()
    if libc is None:
        return False
    with _limited:
        if not _done:
            _done = bool(libc.mallopt(M_ARENA_MAX, ARENAS))
        return _done


def give_back() -> bool:
    """Return freed heap pages to the system. True when some were."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False


__all__ = ["available", "give_back", "share_one_arena"]
