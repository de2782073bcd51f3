"""Thin rasa-sdk actions: read slots, call the assistant core, dispatch."""
