"""Rasa plug-ins (policy, tracker store) and the spaCy pipeline builder."""
