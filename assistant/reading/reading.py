"""One reading of a message: its sentences and what it names, each finding
with its assertion (pure; no Rasa).

Every stage (triage, matching, the answer readers) takes this reading rather
than the raw text, so they agree on what was said, and on whether it was
denied, someone else's, in the past or only asked about.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Sequence, Tuple

from assistant.textmatch import PhraseMatch, fold

if TYPE_CHECKING:
    # Only the Reader runs ConText: the types below travel to processes
    # (the action server) that never load spaCy.
    from assistant.reading.assertions import AssertionReader

# A matcher finds the phrases of its vocabulary in a message.
Finder = Callable[[str], Sequence[PhraseMatch]]
MAX_CHARS = 5000


@dataclass(frozen=True)
class Assertion:
    negated: bool = False
    other: str | None = None  # who it is about when not the writer ("wife")
    own: bool = False  # said to be the writer's in so many words ("my hip", "I can't")
    past: bool = False
    hypothetical: bool = False
    uncertain: bool = False


AFFIRMED = Assertion()


@dataclass(frozen=True)
class Finding:
    source: str  # the vocabulary that found it: "kb" (the knowledge base) or "safety"
    kind: str
    id: str
    words: str  # as typed (folded)
    start: int
    end: int
    assertion: Assertion = AFFIRMED

    @property
    def denied(self) -> bool:
        return self.assertion.negated

    @property
    def stated(self) -> bool:
        """Told as a fact of now, not denied, asked about or doubted."""
        a = self.assertion
        return not (a.negated or a.hypothetical or a.uncertain or a.past)


@dataclass(frozen=True)
class Reading:
    text: str
    folded: str
    sentences: Tuple[Tuple[int, int], ...]
    findings: Tuple[Finding, ...]
    others: Tuple[str, ...] = ()  # the other people the message names, first named first

    def of(self, source: str) -> Tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.source == source)

    def as_dict(self) -> Dict[str, Any]:
        """Plain JSON, for the action call: the Rasa server reads a message
        once and the action server takes its reading from there."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> Reading:
        return cls(
            text=data["text"],
            folded=data["folded"],
            sentences=tuple((int(a), int(b)) for a, b in data["sentences"]),
            findings=tuple(
                Finding(**{**f, "assertion": Assertion(**f["assertion"])}) for f in data["findings"]
            ),
            others=tuple(data.get("others") or ()),
        )


def affirmed(text: str, finders: Mapping[str, Finder]) -> Reading:
    """What the finders alone make of a text, every finding affirmed and the
    whole text one sentence: the reading before ConText, and enough to warm
    up the stages that take a reading in a process without spaCy."""
    text = (text or "")[:MAX_CHARS]
    found = [(source, m) for source, find in finders.items() for m in find(text)]
    findings = tuple(Finding(source, m.kind, m.id, m.surface, m.start, m.end) for source, m in found)
    return Reading(text, fold(text), ((0, len(text)),), findings)


class Reader:
    def __init__(self, finders: Mapping[str, Finder], assertions: AssertionReader):
        self.finders = dict(finders)
        self.assertions = assertions

    def read(self, text: str) -> Reading:
        found = affirmed(text, self.finders)
        # The matchers' offsets are into the folded text: ConText reads that too.
        analysis = self.assertions.analyse(found.folded, [(f.start, f.end) for f in found.findings])
        findings = tuple(replace(f, assertion=a) for f, a in zip(found.findings, analysis.assertions, strict=True))
        return replace(found, sentences=analysis.sentences, findings=findings, others=analysis.people)
