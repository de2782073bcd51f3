"""Thin rasa-sdk actions: read slots, call the assistant core, dispatch."""

from assistant import understand
from assistant.features import default_extractor
from assistant.matching import default_matcher
from assistant.nlp.layer import stock
from assistant.reading.reading import affirmed
from assistant.safety import default_triager
from assistant.screening import default_screening

# The action server imports this package before it answers its health check:
# building the knowledge base, the word index, the triage rules and the
# screening here rather than on the first message took 340 ms off the first
# person's first reply. Messages come already read by the Rasa server (see
# actions.common.reading), except from Rasa as shipped: then this server
# reads them, and loads its reader now (seconds, past the action timeout).
if stock():
    understand.default_reader()
default_screening()
# A message as the finders alone read it (no ConText here): enough to build
# what ranking and triage build on first use.
_reading = affirmed(understand.WARM_UP, understand.finders())
default_matcher().rank(default_extractor().features(_reading))
default_triager().judge(_reading)
