"""Pronunciations for words the recogniser's dictionary lacks.

Muscle names (piriformis, adductors), slang (glutes) and typos people say
the way they read them are missing from CMUdict. espeak-ng knows how to say
any English spelling; its IPA output is mapped to the ARPAbet phones of
pocketsphinx's English acoustic model. The mapping is pure and tested; only
`espeak_ipa` runs a program.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Dict, Iterable, List

# IPA (as espeak-ng writes it for English voices) -> ARPAbet. Longest match
# first, so diphthongs and affricates win over their parts.
IPA_TO_ARPABET: Dict[str, List[str]] = {
    "aɪə": ["AY", "ER"], "aʊə": ["AW", "ER"],
    "tʃ": ["CH"], "dʒ": ["JH"],
    "aɪ": ["AY"], "aʊ": ["AW"], "eɪ": ["EY"], "oʊ": ["OW"], "əʊ": ["OW"], "ɔɪ": ["OY"],
    # American "-ius" (gastrocnemius): two syllables, not the British "ear".
    "ɪə": ["IY", "AH"],
    "ɜː": ["ER"], "ɑː": ["AA"], "ɔː": ["AO"], "oː": ["AO"], "iː": ["IY"], "uː": ["UW"], "aː": ["AA"], "ɛː": ["EH"],
    "ɚ": ["ER"], "ɝ": ["ER"], "ɜ": ["ER"],
    "ɑ": ["AA"], "ɒ": ["AA"], "æ": ["AE"], "a": ["AE"], "ʌ": ["AH"], "ə": ["AH"], "ɐ": ["AH"],
    "ɛ": ["EH"], "e": ["EH"], "ɪ": ["IH"], "ᵻ": ["IH"], "i": ["IY"], "ɔ": ["AO"], "o": ["OW"],
    "ʊ": ["UH"], "u": ["UW"],
    "p": ["P"], "b": ["B"], "t": ["T"], "d": ["D"], "k": ["K"], "ɡ": ["G"], "g": ["G"],
    "f": ["F"], "v": ["V"], "θ": ["TH"], "ð": ["DH"], "s": ["S"], "z": ["Z"], "ʃ": ["SH"], "ʒ": ["ZH"],
    "h": ["HH"], "x": ["HH"], "m": ["M"], "n": ["N"], "ŋ": ["NG"], "l": ["L"], "ɫ": ["L"],
    "ɹ": ["R"], "r": ["R"], "ɾ": ["T"], "w": ["W"], "j": ["Y"],
}
# Stress, length, syllable and tie marks carry nothing the acoustic model uses.
IGNORED = set("ˈˌː.ˑ‿̩̯͡ʔ- ")
_LONGEST = max(len(k) for k in IPA_TO_ARPABET)


class PronunciationError(ValueError):
    pass


def ipa_to_arpabet(ipa: str) -> List[str]:
    """ARPAbet phones for one word's IPA; raises on a symbol it cannot map,
    so a new espeak-ng symbol is noticed at build time, not as a silent gap."""
    phones: List[str] = []
    i = 0
    while i < len(ipa):
        if ipa[i] in IGNORED:
            i += 1
            continue
        for size in range(_LONGEST, 0, -1):
            mapped = IPA_TO_ARPABET.get(ipa[i : i + size])
            if mapped is not None:
                phones += mapped
                i += size
                break
        else:
            raise PronunciationError(f"no ARPAbet phone for {ipa[i]!r} in {ipa!r}")
    # "ɜːɹ" and "ɚɹ" are one r-coloured vowel in ARPAbet.
    merged = [p for k, p in enumerate(phones) if not (p == "R" and k and phones[k - 1] == "ER")]
    if not merged:
        raise PronunciationError(f"no phones in {ipa!r}")
    return merged


def espeak_ipa(words: Iterable[str], voice: str = "en-us") -> Dict[str, str]:
    """IPA for each word, one espeak-ng run for all of them."""
    words = list(dict.fromkeys(words))
    if not words:
        return {}
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise PronunciationError("espeak-ng is not installed (run `make setup`)")
    # A blank line ends a clause, so each word comes back on its own line.
    result = subprocess.run(
        [binary, "-q", "--ipa", "-v", voice, "--stdin"],
        input="\n\n".join(words) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    if len(lines) != len(words):
        raise PronunciationError(f"espeak-ng gave {len(lines)} pronunciations for {len(words)} words")
    return dict(zip(words, lines, strict=True))


def generated_pronunciations(words: Iterable[str]) -> Dict[str, List[str]]:
    return {word: ipa_to_arpabet(ipa) for word, ipa in espeak_ipa(words).items()}
