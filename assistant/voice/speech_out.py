"""`python -m assistant.voice.evaluate --compare-speech`: the reply voices
measured side by side, the measurement behind the choice of Piper.

Each candidate reads the first spoken part of the assistant's replies to the
held-out symptom cases (the pure engine's replies, so no servers). Measured:
how well the recogniser understands it with no domain prompt (word error
rate: a rough intelligibility measure), how many of the muscle names it
says come back spelled right with the prompt (are the Latin names said
sensibly?), seconds to make a second of speech, and the size on disk.
Festival needs `apt-get install festival festvox-us-slt-hts`; it is only
measured here, not used.
"""

from __future__ import annotations

import io
import subprocess
import time
import wave
from typing import Dict, List

from assistant.voice.audio import to_pcm16k
from assistant.voice.text import normalise

CANDIDATES = ("piper:joe", "festival:slt_hts", "flite:slt", "espeak:en-us+f2")
SENTENCES = 20


def reply_sentences(count: int = SENTENCES) -> List[str]:
    """The first spoken part of the replies to the held-out symptom cases."""
    from assistant import replies, understand
    from assistant.knowledge.loader import default_knowledge
    from assistant.matching import Status, default_matcher
    from assistant.tools.eval import load_cases
    from assistant.voice.evaluate import CASE_FILES
    from assistant.voice.spoken import script_for

    kb, said = default_knowledge(), []
    for case in load_cases(CASE_FILES[0]):
        if "expect_any" not in case:
            continue
        features = understand.features(case["text"])
        result = default_matcher().rank(features)
        if result.status is Status.ok and result.suggestions:
            said.append(script_for(replies.symptom_reply(kb, result, features, [], [], True)).parts[0])
        if len(said) == count:
            break
    return said


def seconds_of(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as f:
        return f.getnframes() / f.getframerate()


def size_mb(voice: str) -> float | None:
    if voice.startswith("piper:"):
        from assistant.voice.weights import PIPER_JOE

        return round((PIPER_JOE.folder() / PIPER_JOE.file).stat().st_size / 1e6, 1)
    packages = {"festival": ["festival", "festvox-us-slt-hts", "festlex-cmu", "festlex-poslex"], "flite": ["flite"], "espeak": ["espeak-ng", "espeak-ng-data"]}
    names = packages.get(voice.split(":", 1)[0])
    if not names:
        return None
    out = subprocess.run(["dpkg-query", "-W", "-f=${Installed-Size}\\n", *names], capture_output=True, text=True)
    return round(sum(int(x) for x in out.stdout.split() if x.isdigit()) / 1000, 1) if out.returncode == 0 else None


def compare_speech() -> Dict[str, object]:
    from assistant.knowledge.loader import default_knowledge
    from assistant.voice.evaluate import word_error_rate
    from assistant.voice.recognize import Recognizer
    from assistant.voice.voices import speak_as

    sentences = reply_sentences()
    names = [m.name for m in default_knowledge().muscles.values()]
    plain_ear, domain_ear = Recognizer(prompt=""), Recognizer()
    results: Dict[str, object] = {}
    for voice in CANDIDATES:
        speak_as("Warming up.", voice)  # loads a voice kept in memory
        made, spoken, heard = 0.0, 0.0, []
        for sentence in sentences:
            started = time.perf_counter()
            wav = speak_as(sentence, voice, 150)
            made += time.perf_counter() - started
            spoken += seconds_of(wav)
            heard.append(plain_ear.transcribe(to_pcm16k(wav)).text)
        right = [n for n in names if normalise(n) in normalise(domain_ear.transcribe(to_pcm16k(speak_as(f"Release the {n}.", voice, 150))).text)]
        results[voice] = {
            "word_error_rate_no_prompt": round(word_error_rate(sentences, heard), 4),
            "muscle_names_heard_right": f"{len(right)}/{len(names)}",
            "seconds_to_make_a_second": round(made / spoken, 3),
            "seconds_per_reply": round(made / len(sentences), 2),
            "size_mb": size_mb(voice),
        }
        print(voice, results[voice], flush=True)
    return results


__all__ = ["compare_speech", "reply_sentences"]
