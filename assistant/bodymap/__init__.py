"""Body maps generated from the knowledge base (SVG for the page, PNG for bitmaps)."""

from assistant.bodymap.render import WIDTH, known_muscles, picker_scene, picture, scene, to_png, to_svg

__all__ = ["WIDTH", "known_muscles", "picker_scene", "picture", "scene", "to_png", "to_svg"]
