"""Thin rasa-sdk actions: read slots, call the assistant core, dispatch."""

from assistant import understand
from assistant.matching import default_matcher
from assistant.nlp.layer import stock
from assistant.safety import default_triager
from assistant.screening import default_screening

# The action server imports this package before it answers its health check:
# building the knowledge base, the word index, the triage rules and the
# screening here rather than on the first message took 340 ms off the first
# person's first reply. Messages come already read by the Rasa server (see
# actions.common.reading), except from Rasa as shipped: then this server
# reads them, and loads its reader now (seconds, past the action timeout).
default_matcher()
default_triager()
default_screening()
if stock():
    understand.default_reader()
