"""The pain diary: 0-10 ratings per complaint over weeks, the trend rules
that act on them, the chart and the summary to take to a therapist.

Everything here is plain Python (no Rasa): the actions store the entries in
the conversation's slots, so the tracker store keeps them and "delete my
data" erases them with the rest of the conversation.
"""
