"""How words sound: espeak-ng's phonemes (the build that ships inside
piper-tts, the assistant's voice), folded into broad classes.

A recogniser's mishearing keeps most of a word's sound ("welding" for
"wetting", "food" for "foot"), so words are compared by their phonemes, not
their letters. The classes forgive what a recogniser blurs most: voicing
(t/d, s/z), vowel length and near vowels (the "oo" of "food" and "foot"),
and stress.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

VOICE = "en-us"

# Two-symbol phonemes first (affricates), then one symbol each. Everything
# not listed (stress, length, syllable marks) is dropped.
_PAIRS = {"tʃ": "C", "dʒ": "C"}
_CLASSES = {
    **dict.fromkeys("pb", "P"), **dict.fromkeys("tdɾʔ", "T"), **dict.fromkeys("kgɡ", "K"), **dict.fromkeys("fv", "F"),
    **dict.fromkeys("θð", "D"), **dict.fromkeys("sz", "S"), **dict.fromkeys("ʃʒ", "X"), **dict.fromkeys("mɱ", "M"),
    **dict.fromkeys("nŋ", "N"), **dict.fromkeys("lɫ", "L"), **dict.fromkeys("ɹr", "R"), "w": "W", "j": "J", "h": "H",
    **dict.fromkeys("iɪ", "I"), **dict.fromkeys("eɛæ", "E"), **dict.fromkeys("aʌəɐɜɚᵻ", "A"), **dict.fromkeys("ɑɒɔo", "O"),
    **dict.fromkeys("uʊ", "U"),
}


_ready = False


def ipa(text: str) -> str:
    """espeak-ng's IPA for `text` (American English), clauses joined."""
    global _ready
    from piper import espeakbridge
    from piper.phonemize_espeak import ESPEAK_DATA_DIR

    # espeak-ng keeps one state per process: take turns with the reply
    # voice, under the lock Piper itself takes around it.
    from piper.voice import _ESPEAK_PHONEMIZER_LOCK

    with _ESPEAK_PHONEMIZER_LOCK:
        if not _ready:
            espeakbridge.initialize(str(ESPEAK_DATA_DIR))
            _ready = True
        espeakbridge.set_voice(VOICE)
        clauses = espeakbridge.get_phonemes(text)
    return " ".join(phonemes for phonemes, _, _ in clauses)


def broad(phonemes: str) -> str:
    """IPA folded into one letter per broad class of sound."""
    text = unicodedata.normalize("NFC", phonemes)
    out, i = [], 0
    while i < len(text):
        pair = _PAIRS.get(text[i : i + 2])
        if pair:
            out.append(pair)
            i += 2
            continue
        out.append(_CLASSES.get(text[i], ""))
        i += 1
    return "".join(out)


@lru_cache(maxsize=65536)
def sound_of(word: str) -> str:
    """The broad sound of one word ("foot" and "food" both "FUT")."""
    return broad(ipa(word))


__all__ = ["broad", "ipa", "sound_of"]
