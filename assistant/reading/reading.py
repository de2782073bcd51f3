"""One reading of a message: its sentences and what it names, each finding
with its assertion (pure; no Rasa).

Every stage (triage, matching, the answer readers) takes this reading rather
than the raw text, so they agree on what was said, and on whether it was
denied, someone else's, in the past or only asked about.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Sequence, Tuple

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


class Reader:
    def __init__(self, finders: Mapping[str, Finder], assertions: AssertionReader):
        self.finders = dict(finders)
        self.assertions = assertions

    def read(self, text: str) -> Reading:
        text = (text or "")[:MAX_CHARS]
        folded = fold(text)
        found: List[Tuple[str, PhraseMatch]] = [(source, m) for source, find in self.finders.items() for m in find(text)]
        # The matchers' offsets are into the folded text: ConText reads that too.
        analysis = self.assertions.analyse(folded, [(m.start, m.end) for _, m in found])
        findings = tuple(
            Finding(source, m.kind, m.id, m.surface, m.start, m.end, assertion) for (source, m), assertion in zip(found, analysis.assertions, strict=True)
        )
        return Reading(text, folded, analysis.sentences, findings, analysis.people)
