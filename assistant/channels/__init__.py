"""Rasa input/output channels (the only place besides nlp/ that imports Rasa)."""
