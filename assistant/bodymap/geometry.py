"""Body-map geometry: which shapes stand for which body area, as data.

Pure: reads `zones.yml` beside this file and mirrors the half-figure shapes
to both sides of the body. No Rasa, no drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

from assistant.sides import PICTURED

ZONES_FILE = Path(__file__).resolve().parent / "zones.yml"
OTHER_SIDE = {"left": "right", "right": "left"}
Point = Tuple[float, float]


@dataclass(frozen=True)
class Shape:
    """A polygon (points) or an ellipse (cx, cy, rx, ry), in picture coordinates."""

    points: Tuple[Point, ...] = ()
    ellipse: Tuple[float, float, float, float] | None = None

    def moved(self, dx: float, dy: float) -> Shape:
        if self.ellipse:
            cx, cy, rx, ry = self.ellipse
            return Shape(ellipse=(cx + dx, cy + dy, rx, ry))
        return Shape(points=tuple((x + dx, y + dy) for x, y in self.points))

    def mirrored(self, width: float) -> Shape:
        if self.ellipse:
            cx, cy, rx, ry = self.ellipse
            return Shape(ellipse=(width - cx, cy, rx, ry))
        return Shape(points=tuple((width - x, y) for x, y in self.points))

    def center(self) -> Point:
        if self.ellipse:
            return self.ellipse[0], self.ellipse[1]
        xs, ys = zip(*self.points, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)

    def bbox(self) -> Tuple[float, float, float, float]:
        if self.ellipse:
            cx, cy, rx, ry = self.ellipse
            return cx - rx, cy - ry, cx + rx, cy + ry
        xs, ys = zip(*self.points, strict=True)
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Zone:
    """One area's shape in one view, on one side ("both" for the midline)."""

    area: str
    view: str
    side: str
    shape: Shape


@dataclass(frozen=True)
class View:
    id: str
    title: str
    size: Tuple[float, float]
    image_left: str
    outline: Tuple[Shape, ...]
    details: Tuple[Shape, ...]


@dataclass(frozen=True)
class Geometry:
    views: Dict[str, View]
    zones: Tuple[Zone, ...]

    def areas(self) -> List[str]:
        return list(dict.fromkeys(z.area for z in self.zones))

    def zones_for(self, area: str, side: str | None = None) -> List[Zone]:
        """The area's zones; a side of "left"/"right" keeps that side (and the midline)."""
        return [z for z in self.zones if z.area == area and (side not in PICTURED or z.side in (side, "both"))]


def _shape(raw: dict) -> Shape:
    if "ellipse" in raw:
        cx, cy, rx, ry = (float(v) for v in raw["ellipse"])
        return Shape(ellipse=(cx, cy, rx, ry))
    return Shape(points=tuple((float(x), float(y)) for x, y in raw["polygon"]))


def _both_halves(shapes: Sequence[dict], width: float) -> Tuple[Shape, ...]:
    """Each half-figure shape and its mirror image; a polygon that starts and
    ends on the midline is joined with its mirror into one outline."""
    whole: List[Shape] = []
    for raw in shapes:
        half = _shape(raw)
        points = half.points
        if points and points[0][0] == points[-1][0] == width / 2:
            whole.append(Shape(points=points + tuple(reversed(half.mirrored(width).points))))
        else:
            whole += [half, half.mirrored(width)]
    return tuple(whole)


def parse(data: dict) -> Geometry:
    views: Dict[str, View] = {}
    for view_id, raw in data["views"].items():
        width, height = (float(v) for v in raw["size"])
        views[view_id] = View(
            id=view_id,
            title=raw["title"],
            size=(width, height),
            image_left=raw["image_left"],
            outline=_both_halves(raw.get("outline", []), width),
            details=_both_halves(raw.get("details", []), width),
        )
    zones: List[Zone] = []
    for area, shapes in data["areas"].items():
        for raw in shapes:
            view = views[raw["view"]]
            shape = _shape(raw)
            if raw.get("mirror", True) is False:
                zones.append(Zone(area, view.id, "both", shape))
                continue
            zones.append(Zone(area, view.id, view.image_left, shape))
            zones.append(Zone(area, view.id, OTHER_SIDE[view.image_left], shape.mirrored(view.size[0])))
    return Geometry(views=views, zones=tuple(zones))


@lru_cache(maxsize=1)
def default_geometry() -> Geometry:
    return parse(yaml.safe_load(ZONES_FILE.read_text(encoding="utf-8")))
