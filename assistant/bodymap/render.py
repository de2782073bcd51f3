"""Body maps from the knowledge base: where the suggested muscles send pain.

One scene (a list of drawing items) is built once and written out either as
SVG (for the web page) or as PNG with Pillow (for channels that need a
bitmap). Pure: no Rasa.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Dict, List, Sequence, Tuple
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageChops, ImageDraw, ImageFont

from assistant.bodymap.geometry import Geometry, Shape, Zone, area_zones, default_geometry
from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.knowledge.schema import ReferralKind
from assistant.sides import PICTURED

WIDTH = 420  # two figure columns: legible when a phone shows it 360 px wide
COLUMN, MARGIN, TITLE = 200.0, 10.0, 24.0  # a view's column, the outer margin, room for its title
MAX_MUSCLES = 5
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00")
SKIN, OUTLINE, INK = "#F4EDE4", "#8A7F75", "#222222"
ESSENTIAL_OPACITY, SPILLOVER_OPACITY = 0.72, 0.85
STRIPE = 6  # spillover zones are striped, essential zones solid
TITLE_SIZE, LEGEND_SIZE, KEY_SIZE = 15.0, 15.0, 14.0
LEGEND_ROW = 22.0
CHAR_WIDTH = 0.56  # a sans-serif letter's average width, in font sizes


@dataclass
class Item:
    """One thing to draw. `kind`: shape, marker or text."""

    kind: str
    shape: Shape | None = None
    fill: str = "none"
    opacity: float = 1.0
    striped: bool = False
    stroke: str | None = None
    text: str = ""
    at: Tuple[float, float] = (0.0, 0.0)
    size: float = 12.0
    anchor: str = "start"
    attrs: Dict[str, str] = field(default_factory=dict)


@dataclass
class Scene:
    title: str
    items: List[Item]
    height: float
    width: float = WIDTH


@dataclass(frozen=True)
class Layout:
    """Where each view sits, and the free spot for the legend (None: below all)."""

    offsets: Dict[str, Tuple[float, float]]
    legend: Tuple[float, float]
    height: float


def layout(geometry: Geometry, view_ids: Sequence[str], legend_size: Tuple[float, float] = (0.0, 0.0)) -> Layout:
    """Views fill two columns, each going under the shorter one; the legend
    takes the shorter column when it fits there, else a row below all."""
    heights = [0.0, 0.0]
    offsets: Dict[str, Tuple[float, float]] = {}
    for view_id in view_ids:
        column = heights.index(min(heights))
        offsets[view_id] = (MARGIN + column * COLUMN, heights[column] + TITLE)
        heights[column] += TITLE + geometry.views[view_id].size[1]
    width, height = legend_size
    column = heights.index(min(heights))
    if width <= COLUMN - MARGIN:
        legend = (MARGIN + column * COLUMN + MARGIN, heights[column] + TITLE)
    else:
        legend = (MARGIN, max(heights) + MARGIN)
    bottom = max(max(heights), legend[1] + height) if height else max(heights)
    return Layout(offsets=offsets, legend=legend, height=bottom + MARGIN)


def known_muscles(kb: Knowledge, muscle_ids: Sequence[str]) -> List[str]:
    """The ids that name muscles, in order, without repeats, at most five."""
    return [m for m in dict.fromkeys(muscle_ids) if m in kb.muscles][:MAX_MUSCLES]


def area_parts(kb: Knowledge) -> Dict[str, List[str]]:
    """Each area's parts: a broad area without a shape of its own is drawn as them."""
    parts: Dict[str, List[str]] = {}
    for area in kb.vocabulary.areas:
        for whole in area.part_of:
            parts.setdefault(whole, []).append(area.id)
    return parts


def _base(geometry: Geometry, places: Layout) -> List[Item]:
    items: List[Item] = []
    for view_id, (dx, dy) in places.offsets.items():
        view = geometry.views[view_id]
        items.append(Item("text", text=view.title, at=(dx + view.size[0] / 2, dy - 7), size=TITLE_SIZE, anchor="middle", fill=INK))
        if view.image_left:
            # The person's own sides, which the picture's left and right are not in the front view.
            left = "R" if view.image_left == "right" else "L"
            for x, letter in ((dx + 12, left), (dx + view.size[0] - 12, "L" if left == "R" else "R")):
                items.append(Item("text", text=letter, at=(x, dy + 14), size=KEY_SIZE, anchor="middle", fill="#666666"))
        items += [Item("shape", shape=s.moved(dx, dy), fill=SKIN, stroke=OUTLINE) for s in view.outline]
        items += [Item("shape", shape=s.moved(dx, dy), fill="none", stroke=OUTLINE) for s in view.details]
    return items


def scene(kb: Knowledge, muscle_ids: Sequence[str], side: str | None = None, geometry: Geometry | None = None) -> Scene:
    """The referral zones and trigger points of the muscles, best first on
    top, in only the views that show one of them."""
    geometry = geometry or default_geometry()
    parts = area_parts(kb)
    muscles = [kb.muscles[m] for m in known_muscles(kb, muscle_ids)]
    # What to draw, worst first: the first muscle goes last, on top where zones overlap.
    fills: List[Tuple[Zone, str, bool]] = []
    points: List[Tuple[Zone, str, int, float]] = []
    for rank in reversed(range(len(muscles))):
        muscle, colour = muscles[rank], PALETTE[rank]
        for referral in sorted(muscle.referral, key=lambda r: r.kind is ReferralKind.essential):
            fills += [(z, colour, referral.kind is ReferralKind.essential) for z in area_zones(geometry, parts, referral.area, side)]
        for index, point in enumerate(muscle.trigger_points):
            spread = (index - (len(muscle.trigger_points) - 1) / 2) * 7
            points += [(z, colour, rank, spread) for z in area_zones(geometry, parts, point.area, side)]
    shown = {z.view for z, *_ in fills + points} or set(geometry.views)
    legend = _legend([m.name for m in muscles])
    places = layout(geometry, [v for v in geometry.views if v in shown], _extent(legend))
    items = _base(geometry, places)
    for zone, colour, essential in fills:
        dx, dy = places.offsets[zone.view]
        opacity = ESSENTIAL_OPACITY if essential else SPILLOVER_OPACITY
        items.append(Item("shape", shape=zone.shape.moved(dx, dy), fill=colour, opacity=opacity, striped=not essential, stroke=colour))
    for zone, colour, rank, spread in points:
        dx, dy = places.offsets[zone.view]
        cx, cy = zone.shape.center()
        items.append(Item("marker", at=(cx + dx + spread, cy + dy + rank * 3), fill=colour, stroke=INK))
    lx, ly = places.legend
    items += [_moved(item, lx, ly) for item in legend]
    names = ", ".join(m.name for m in muscles) or "no muscles"
    where = f" ({side} side)" if side in PICTURED else ""
    return Scene(title=f"Body map of where {names} send pain{where}", items=items, height=places.height)


def _legend(muscle_names: Sequence[str]) -> List[Item]:
    """The colour of each muscle and the key to the shading, from (0, 0)."""
    items: List[Item] = []
    y = 0.0
    for rank, name in enumerate(muscle_names):
        items.append(Item("shape", shape=Shape(points=_square(0, y)), fill=PALETTE[rank], opacity=ESSENTIAL_OPACITY, stroke=PALETTE[rank]))
        items.append(Item("text", text=f"{rank + 1}. {name}", at=(20, y + 12), size=LEGEND_SIZE, fill=INK))
        y += LEGEND_ROW
    y += 6
    key = (
        (Item("shape", shape=Shape(points=_square(0, y)), fill="#777777", opacity=ESSENTIAL_OPACITY, stroke="#777777"), "main pain zone"),
        (Item("shape", shape=Shape(points=_square(0, y + LEGEND_ROW)), fill="#777777", opacity=SPILLOVER_OPACITY, striped=True, stroke="#777777"), "spillover zone"),
        (Item("marker", at=(7, y + 2 * LEGEND_ROW + 7), fill="#FFFFFF", stroke=INK), "trigger point"),
    )
    for row, (swatch, label) in enumerate(key):
        items += [swatch, Item("text", text=label, at=(20, y + row * LEGEND_ROW + 12), fill="#555555", size=KEY_SIZE)]
    return items


def _extent(items: Sequence[Item]) -> Tuple[float, float]:
    """Roughly how wide and tall the items drawn from (0, 0) are."""
    right = max((i.at[0] + len(i.text) * i.size * CHAR_WIDTH for i in items if i.kind == "text"), default=0.0)
    bottom = max((i.at[1] for i in items if i.kind == "text"), default=0.0)
    return right, bottom + 4


def _moved(item: Item, dx: float, dy: float) -> Item:
    return replace(item, shape=item.shape.moved(dx, dy) if item.shape else None, at=(item.at[0] + dx, item.at[1] + dy))


def _square(x: float, y: float, size: float = 14) -> Tuple[Tuple[float, float], ...]:
    return ((x, y), (x + size, y), (x + size, y + size), (x, y + size))


def picker_scene(kb: Knowledge, geometry: Geometry | None = None) -> Scene:
    """The blank figures with every area as a target to tap (point-to-describe)."""
    geometry = geometry or default_geometry()
    places = layout(geometry, list(geometry.views))
    items = _base(geometry, places)
    for zone in geometry.zones:
        dx, dy = places.offsets[zone.view]
        name = kb.areas[zone.area].name
        label = name if zone.side == "both" else f"{zone.side} {name}"
        items.append(
            Item(
                "shape",
                shape=zone.shape.moved(dx, dy),
                fill="#0072B2",
                opacity=0.12,
                stroke="#0072B2",
                attrs={
                    "class": "zone",
                    "data-area": zone.area,
                    "data-side": zone.side,
                    "data-view": zone.view,
                    "tabindex": "0",
                    "role": "button",
                    "aria-pressed": "false",
                    "aria-label": f"{label} ({geometry.views[zone.view].title.lower()})",
                },
            )
        )
    return Scene(title="Body map: tap where it hurts", items=items, height=places.height)


# ---------------------------------------------------------------- SVG


def _n(value: float) -> str:
    """A coordinate to a tenth of a unit: finer is invisible and bloats the file."""
    return f"{round(value, 1):g}"


def _svg_shape(shape: Shape) -> Tuple[str, str]:
    if shape.ellipse:
        cx, cy, rx, ry = shape.ellipse
        return "ellipse", f'cx="{_n(cx)}" cy="{_n(cy)}" rx="{_n(rx)}" ry="{_n(ry)}"'
    return "polygon", 'points="' + " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points) + '"'


def to_svg(drawing: Scene) -> str:
    patterns: Dict[str, str] = {}
    body: List[str] = []
    for item in drawing.items:
        extra = "".join(f" {name}={quoteattr(value)}" for name, value in item.attrs.items())
        if item.kind == "text":
            x, y = item.at
            body.append(
                f'<text x="{_n(x)}" y="{_n(y)}" font-size="{item.size:g}" text-anchor="{item.anchor}" fill="{item.fill}">{escape(item.text)}</text>'
            )
        elif item.kind == "marker":
            x, y = item.at
            body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{item.fill}" stroke="{item.stroke}" stroke-width="1.5"/>')
        else:
            assert item.shape is not None
            tag, geometry = _svg_shape(item.shape)
            fill = item.fill
            if item.striped:
                pattern_id = "stripes-" + item.fill.lstrip("#")
                patterns[pattern_id] = (
                    f'<pattern id="{pattern_id}" width="{STRIPE}" height="{STRIPE}" patternUnits="userSpaceOnUse" '
                    f'patternTransform="rotate(45)"><rect width="{STRIPE / 2:g}" height="{STRIPE}" fill="{item.fill}"/></pattern>'
                )
                fill = f"url(#{pattern_id})"
            stroke = f' stroke="{item.stroke}" stroke-width="1"' if item.stroke else ""
            dash = ' stroke-dasharray="3 2"' if item.striped else ""
            opacity = f' fill-opacity="{item.opacity:g}"' if item.opacity < 1 else ""
            body.append(f'<{tag} {geometry} fill="{fill}"{opacity}{stroke}{dash}{extra}>'
                        + (f"<title>{escape(item.attrs['aria-label'])}</title>" if "aria-label" in item.attrs else "")
                        + f"</{tag}>")
    width, height = _n(drawing.width), _n(drawing.height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="bodymap-title" font-family="sans-serif">'
        f'<title id="bodymap-title">{escape(drawing.title)}</title>'
        f'<defs>{"".join(patterns.values())}</defs>'
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>' + "".join(body) + "</svg>"
    )


# ---------------------------------------------------------------- PNG


def _rgb(colour: str) -> Tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _draw_shape(draw: ImageDraw.ImageDraw, shape: Shape, scale: float, **style: Any) -> None:
    if shape.ellipse:
        x0, y0, x1, y1 = shape.bbox()
        draw.ellipse([x0 * scale, y0 * scale, x1 * scale, y1 * scale], **style)
    else:
        draw.polygon([(x * scale, y * scale) for x, y in shape.points], **style)


def _stripes(size: Tuple[int, int], scale: float) -> Image.Image:
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    step = STRIPE * scale * 1.4142
    width, height = size
    k = float(-height)
    while k < width:
        draw.line([(k, height), (k + height, 0)], fill=255, width=max(1, round(step / 2)))
        k += step
    return mask


def to_png(drawing: Scene, scale: float = 2.0) -> bytes:
    size = (round(drawing.width * scale), round(drawing.height * scale))
    picture = Image.new("RGBA", size, (255, 255, 255, 255))
    stripes = _stripes(size, scale)
    fonts: Dict[float, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
    for item in drawing.items:
        if item.kind == "text":
            font = fonts.setdefault(item.size, ImageFont.load_default(size=item.size * scale))
            anchor = "ms" if item.anchor == "middle" else "ls"
            ImageDraw.Draw(picture).text((item.at[0] * scale, item.at[1] * scale), item.text, fill=_rgb(item.fill), font=font, anchor=anchor)
        elif item.kind == "marker":
            x, y = item.at
            r = 4.5 * scale
            ImageDraw.Draw(picture).ellipse(
                [x * scale - r, y * scale - r, x * scale + r, y * scale + r], fill=_rgb(item.fill), outline=_rgb(item.stroke or INK), width=round(1.5 * scale)
            )
        else:
            assert item.shape is not None
            if item.fill != "none":
                # Only the shape's box is masked and painted: a whole-picture mask per shape is slow.
                x0, y0, x1, y1 = (round(v * scale) for v in item.shape.bbox())
                x0, y0 = max(0, x0 - 2), max(0, y0 - 2)
                box = (x0, y0, min(size[0], x1 + 2), min(size[1], y1 + 2))
                mask = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
                local = item.shape.moved(-x0 / scale, -y0 / scale)
                _draw_shape(ImageDraw.Draw(mask), local, scale, fill=round(255 * item.opacity))
                if item.striped:
                    mask = ImageChops.multiply(mask, stripes.crop(box))
                picture.paste(Image.new("RGBA", mask.size, _rgb(item.fill) + (255,)), box[:2], mask)
            if item.stroke:
                _draw_shape(ImageDraw.Draw(picture), item.shape, scale, outline=_rgb(item.stroke), width=max(1, round(scale)))
    out = io.BytesIO()
    picture.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


@lru_cache(maxsize=256)
def picture(muscle_ids: Tuple[str, ...], side: str | None, fmt: str, picker: bool = False) -> bytes:
    """A rendered body map of the shipped knowledge base, SVG or PNG.

    Cached: the same few combinations of muscles are asked for again and
    again, by the web page and by Telegram alike."""
    kb = default_knowledge()
    drawing = picker_scene(kb) if picker else scene(kb, known_muscles(kb, muscle_ids), side)
    return to_png(drawing) if fmt == "png" else to_svg(drawing).encode("utf-8")
