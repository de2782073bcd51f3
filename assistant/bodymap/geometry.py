"""Body-map geometry: which shapes stand for which body area, as data.

Pure: reads `zones.yml` beside this file, smooths the curves, and mirrors
the half-figure shapes to both sides of the body. No Rasa, no drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

import yaml

from assistant.sides import PICTURED

ZONES_FILE = Path(__file__).resolve().parent / "zones.yml"
OTHER_SIDE = {"left": "right", "right": "left"}
CURVE_STEPS = 6  # points sampled between two control points of a curve
ELLIPSE_STEPS = 32  # corners of the polygon that stands for an ellipse when shapes are compared
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
        return Shape(points=tuple((width - x, y) for x, y in reversed(self.points)))

    def center(self) -> Point:
        if self.ellipse:
            return self.ellipse[0], self.ellipse[1]
        x0, y0, x1, y1 = self.bbox()
        return (x0 + x1) / 2, (y0 + y1) / 2

    def bbox(self) -> Tuple[float, float, float, float]:
        if self.ellipse:
            cx, cy, rx, ry = self.ellipse
            return cx - rx, cy - ry, cx + rx, cy + ry
        xs, ys = zip(*self.points, strict=True)
        return min(xs), min(ys), max(xs), max(ys)

    def outline(self) -> Tuple[Point, ...]:
        """The shape as a polygon (an ellipse as a fine one)."""
        if not self.ellipse:
            return self.points
        cx, cy, rx, ry = self.ellipse
        turns = (2 * math.pi * i / ELLIPSE_STEPS for i in range(ELLIPSE_STEPS))
        return tuple((cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in turns)

    def overlaps(self, other: Shape) -> bool:
        """True when the two shapes share any part of the picture: one holds a
        corner of the other, or their edges cross."""
        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = self.bbox(), other.bbox()
        if ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0:
            return False
        mine, theirs = self.outline(), other.outline()
        if any(other.contains(p) for p in mine) or any(self.contains(p) for p in theirs):
            return True
        return any(_crosses(a, b, c, d) for a, b in _edges(mine) for c, d in _edges(theirs))

    def contains(self, point: Point) -> bool:
        x, y = point
        if self.ellipse:
            cx, cy, rx, ry = self.ellipse
            return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
        inside = False
        for (x0, y0), (x1, y1) in zip(self.points, self.points[1:] + self.points[:1], strict=True):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
        return inside


def _edges(points: Sequence[Point]) -> List[Tuple[Point, Point]]:
    return list(zip(points, [*points[1:], points[0]], strict=True))


def _turn(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _crosses(a: Point, b: Point, c: Point, d: Point) -> bool:
    """True when segment a-b properly crosses segment c-d."""
    return (_turn(a, b, c) > 0) != (_turn(a, b, d) > 0) and (_turn(c, d, a) > 0) != (_turn(c, d, b) > 0)


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
    image_left: str | None  # whose side the left of the picture is; None for a profile
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


def area_zones(geometry: Geometry, parts: Mapping[str, Sequence[str]], area: str, side: str | None = None) -> List[Zone]:
    """The area's own zones or, for a broad area drawn as the sum of its
    parts ("knee"), the zones of those parts (`parts`: area -> its parts)."""
    own = geometry.zones_for(area, side)
    if own:
        return own
    found: List[Zone] = []
    for part in parts.get(area, ()):
        found += [z for z in area_zones(geometry, parts, part, side) if z not in found]
    return found


def smooth(points: Sequence[Point], steps: int = CURVE_STEPS) -> Tuple[Point, ...]:
    """A closed Catmull-Rom curve through the points, as a fine polygon."""
    n = len(points)
    out: List[Point] = []
    for i in range(n):
        p0, p1, p2, p3 = points[i - 1], points[i], points[(i + 1) % n], points[(i + 2) % n]
        for step in range(steps):
            t = step / steps
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t * t + (3 * b - a - 3 * c + d) * t**3)
                    for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
                )
            )
    return tuple(out)


def _points(raw: dict) -> Tuple[Point, ...]:
    key = "curve" if "curve" in raw else "polygon"
    return tuple((float(x), float(y)) for x, y in raw[key])


def shape_of(raw: dict) -> Shape:
    if "ellipse" in raw:
        cx, cy, rx, ry = (float(v) for v in raw["ellipse"])
        return Shape(ellipse=(cx, cy, rx, ry))
    points = _points(raw)
    return Shape(points=smooth(points) if "curve" in raw else points)


def _both_halves(shapes: Sequence[dict], width: float, mirror: bool) -> Tuple[Shape, ...]:
    """Each half-figure shape and its mirror image; a half outline that starts
    and ends on the midline is joined with its mirror into one outline."""
    whole: List[Shape] = []
    for raw in shapes:
        if not mirror or "ellipse" in raw:
            whole += [shape_of(raw)] + ([shape_of(raw).mirrored(width)] if mirror else [])
            continue
        points = _points(raw)
        if points[0][0] == points[-1][0] == width / 2:
            joined = points + Shape(points=points[1:-1]).mirrored(width).points
            whole.append(Shape(points=smooth(joined) if "curve" in raw else joined))
        else:
            half = shape_of(raw)
            whole += [half, half.mirrored(width)]
    return tuple(whole)


def parse(data: dict) -> Geometry:
    views: Dict[str, View] = {}
    for view_id, raw in data["views"].items():
        width, height = (float(v) for v in raw["size"])
        mirror = raw.get("image_left") is not None
        views[view_id] = View(
            id=view_id,
            title=raw["title"],
            size=(width, height),
            image_left=raw.get("image_left"),
            outline=_both_halves(raw.get("outline", []), width, mirror),
            details=_both_halves(raw.get("details", []), width, mirror),
        )
    zones: List[Zone] = []
    for area, shapes in data["areas"].items():
        for raw in shapes:
            view = views[raw["view"]]
            shape = shape_of(raw)
            if view.image_left is None or raw.get("mirror", True) is False:
                zones.append(Zone(area, view.id, "both", shape))
                continue
            zones.append(Zone(area, view.id, view.image_left, shape))
            zones.append(Zone(area, view.id, OTHER_SIDE[view.image_left], shape.mirrored(view.size[0])))
    return Geometry(views=views, zones=tuple(zones))


@lru_cache(maxsize=1)
def default_geometry() -> Geometry:
    return parse(yaml.safe_load(ZONES_FILE.read_text(encoding="utf-8")))
