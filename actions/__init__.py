"""Thin rasa-sdk actions: read slots, call the assistant core, dispatch."""

from assistant.matching import default_matcher
from assistant.safety import default_triager
from assistant.screening import default_screening

# The action server imports this package before it answers its health check:
# building the knowledge base, the word index, the triage rules and the
# screening here rather than on the first message took 340 ms off the first
# person's first reply. Messages come already read (see actions.common.reading).
default_matcher()
default_triager()
default_screening()
