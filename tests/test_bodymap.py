"""The body-map generator: zones for every muscle, valid SVG and PNG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from assistant import bodymap
from assistant.bodymap.geometry import Shape, area_zones, default_geometry, parse
from assistant.bodymap.render import area_parts
from assistant.knowledge.loader import CANONICAL_MUSCLES, default_knowledge
from assistant.knowledge.schema import ReferralKind

SVG = "{http://www.w3.org/2000/svg}"
PHONE = 360  # px: a small phone shows the picture this wide
MIN_TEXT_PX, MIN_ZONE_PX = 11, 5


@pytest.fixture(scope="module")
def kb():
    return default_knowledge()


def test_every_canonical_muscle_has_zones_and_trigger_point_places(kb) -> None:
    geometry, parts = default_geometry(), area_parts(kb)
    for muscle_id in CANONICAL_MUSCLES:
        muscle = kb.muscles[muscle_id]
        essential = [r.area for r in muscle.referral if r.kind is ReferralKind.essential]
        assert any(area_zones(geometry, parts, area) for area in essential), muscle_id
        for referral in muscle.referral:
            assert area_zones(geometry, parts, referral.area), f"{muscle_id}: no shape for {referral.area}"
        for point in muscle.trigger_points:
            assert area_zones(geometry, parts, point.area), f"{muscle_id}: no shape for trigger point area {point.area}"


def test_every_vocabulary_area_has_a_shape_and_broad_ones_are_their_parts(kb) -> None:
    geometry, parts = default_geometry(), area_parts(kb)
    for area in kb.vocabulary.areas:
        zones = area_zones(geometry, parts, area.id)
        assert zones, f"no shape for the area {area.id}"
        if not area.generic:
            assert geometry.zones_for(area.id), f"{area.id} needs a shape of its own"
        if all(z.side == "both" for z in zones):
            continue
        assert {z.side for z in zones} >= {"left", "right"}, f"{area.id} is drawn on one side only"
    knee = {z for a in ("kneecap", "inside_of_knee", "outside_of_knee", "back_of_knee") for z in geometry.zones_for(a)}
    assert set(area_zones(geometry, parts, "knee")) == knee
    assert {z.view for z in area_zones(geometry, parts, "arm")} == {"front", "back"}
    assert {z.view for z in area_zones(geometry, parts, "neck")} == {"front", "back", "side"}


def test_zones_lie_on_the_body_of_their_view(kb) -> None:
    geometry = default_geometry()
    assert set(geometry.views) == {"front", "back", "side"}
    for zone in geometry.zones:
        assert zone.area in kb.areas
        view = geometry.views[zone.view]
        width, height = view.size
        x0, y0, x1, y1 = zone.shape.bbox()
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, zone
        assert any(outline.contains(zone.shape.center()) for outline in view.outline), f"{zone.area} is off the body ({zone.view})"


def test_the_figures_are_shaped_like_a_body_not_boxes() -> None:
    geometry = default_geometry()
    for view in geometry.views.values():
        (body,) = view.outline
        assert len(body.points) >= 150, f"{view.id}: a smooth outline"
    front = geometry.views["front"].outline[0]
    # Head, neck, arms apart from the body, the gap between the legs.
    assert front.contains((100, 30)) and front.contains((100, 80)) and front.contains((100, 200))
    assert front.contains((35, 240)) and not front.contains((58, 200)) and not front.contains((142, 200))
    assert front.contains((125, 200)) and front.contains((165, 240))
    assert not front.contains((100, 420)) and front.contains((80, 420)) and front.contains((120, 420))
    side = geometry.views["side"].outline[0]
    assert side.contains((160, 112)) and not side.contains((160, 40)), "the nose sticks out, the forehead slopes back"


def test_shapes_are_mirrored_to_both_sides_with_the_right_names() -> None:
    geometry = parse(
        {
            "views": {"front": {"title": "Front", "size": [200, 400], "image_left": "right"}},
            "areas": {"knee": [{"view": "front", "ellipse": [70, 220, 10, 10]}], "tail": [{"view": "front", "mirror": False, "ellipse": [100, 80, 4, 9]}]},
        }
    )
    right, left = geometry.zones_for("knee", "right"), geometry.zones_for("knee", "left")
    assert right[0].shape.ellipse == (70, 220, 10, 10) and left[0].shape.ellipse == (130, 220, 10, 10)
    assert len(geometry.zones_for("knee")) == 2
    assert [z.side for z in geometry.zones_for("tail", "left")] == ["both"]


def test_svg_is_valid_with_the_expected_size_legend_and_shading(kb) -> None:
    drawing = bodymap.scene(kb, ["vastus_medialis", "rectus_femoris", "vastus_intermedius"])
    root = ET.fromstring(bodymap.to_svg(drawing))
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == (str(bodymap.WIDTH), f"{drawing.height:g}")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "1. Vastus medialis" in texts and "3. Vastus intermedius" in texts
    assert "Vastus medialis" in root.find(f"{SVG}title").text
    fills = [e.get("fill") for e in root.iter() if e.get("fill")]
    assert any(f.startswith("url(#stripes-") for f in fills), "spillover zones are striped"
    assert "#D55E00" in fills, "essential zones of the first muscle are solid"
    assert len(list(root.iter(f"{SVG}circle"))) >= 3, "trigger points are marked"


def test_side_keeps_only_that_side(kb) -> None:
    both = bodymap.to_svg(bodymap.scene(kb, ["vastus_medialis"]))
    left = bodymap.to_svg(bodymap.scene(kb, ["vastus_medialis"], side="left"))
    assert left.count("<ellipse") < both.count("<ellipse")
    assert "(left side)" in left


def test_png_is_a_bitmap_of_the_expected_size_with_colour(kb) -> None:
    data = bodymap.to_png(bodymap.scene(kb, ["masseter", "gluteus_minimus"]), scale=1)
    image = Image.open(io.BytesIO(data))
    drawing = bodymap.scene(kb, ["masseter", "gluteus_minimus"])
    assert image.format == "PNG" and image.size == (bodymap.WIDTH, round(drawing.height))
    colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert any(r > 180 and g < 150 and b < 100 for r, g, b in colours), "the first muscle's orange zones are drawn"
    soleus = bodymap.scene(kb, ["soleus"])
    assert Image.open(io.BytesIO(bodymap.to_png(soleus))).size == (2 * bodymap.WIDTH, round(2 * soleus.height))


def test_unknown_ids_and_repeats_are_dropped(kb) -> None:
    assert bodymap.known_muscles(kb, ["<script>", "soleus", "soleus", "masseter"]) == ["soleus", "masseter"]


def test_picker_offers_every_area_on_both_sides_as_a_button(kb) -> None:
    root = ET.fromstring(bodymap.to_svg(bodymap.picker_scene(kb)))
    zones = [e for e in root.iter() if e.get("class") == "zone"]
    areas = {z.get("data-area") for z in zones}
    assert areas == set(default_geometry().areas())
    assert {z.get("data-side") for z in zones} == {"left", "right", "both"}
    assert all(z.get("tabindex") == "0" and z.get("role") == "button" and z.get("aria-label") for z in zones)


def _view_titles(drawing) -> set:
    titles = {v.title for v in default_geometry().views.values()}
    return {i.text for i in drawing.items if i.kind == "text" and i.text in titles}


def test_only_the_views_holding_a_zone_are_drawn(kb) -> None:
    assert _view_titles(bodymap.scene(kb, ["masseter"])) == {"Head and neck"}
    assert _view_titles(bodymap.scene(kb, ["soleus"])) == {"Back"}
    assert _view_titles(bodymap.scene(kb, ["vastus_medialis"])) == {"Front", "Back"}
    assert _view_titles(bodymap.scene(kb, ["masseter", "soleus"])) == {"Head and neck", "Back"}
    assert _view_titles(bodymap.picker_scene(kb)) == {"Front", "Back", "Head and neck"}
    # One view leaves room beside it for the legend: the picture is no taller than the view.
    assert bodymap.scene(kb, ["masseter"]).height < 300 and bodymap.scene(kb, ["soleus"]).height < 560


@pytest.mark.parametrize("muscles", [["masseter"], ["soleus"], ["vastus_medialis", "rectus_femoris", "tensor_fasciae_latae"], ["masseter", "soleus", "gluteus_minimus", "iliopsoas", "vastus_lateralis"]])
def test_legible_at_phone_width(kb, muscles) -> None:
    drawing = bodymap.scene(kb, muscles)
    scale = PHONE / drawing.width
    assert drawing.width == bodymap.WIDTH and 0.5 <= drawing.height / drawing.width <= 2.5
    assert min(i.size for i in drawing.items if i.kind == "text") * scale >= MIN_TEXT_PX
    assert all(i.at[0] + len(i.text) * i.size * 0.56 <= drawing.width for i in drawing.items if i.kind == "text"), "text stays inside"
    image = Image.open(io.BytesIO(bodymap.to_png(drawing, scale=scale)))
    assert image.size == (PHONE, round(drawing.height * scale))


def test_every_zone_is_big_enough_to_see_and_tap_on_a_phone() -> None:
    scale = PHONE / bodymap.WIDTH
    for zone in default_geometry().zones:
        x0, y0, x1, y1 = zone.shape.bbox()
        assert min(x1 - x0, y1 - y0) * scale >= MIN_ZONE_PX, f"{zone.area} ({zone.view}) is too small"


def test_shapes_overlap_when_they_share_any_part_of_the_picture() -> None:
    square = Shape(points=((0, 0), (10, 0), (10, 10), (0, 10)))
    assert square.overlaps(Shape(ellipse=(12, 5, 3, 2)))  # crosses an edge
    assert square.overlaps(Shape(ellipse=(5, 5, 1, 1)))  # inside
    assert Shape(ellipse=(5, 5, 1, 1)).overlaps(square)
    assert Shape(ellipse=(5, 5, 20, 20)).overlaps(square)  # around it
    assert not square.overlaps(Shape(ellipse=(14, 5, 3, 2)))
    # Bounding boxes meet but the shapes do not: the corner of a diamond and a circle.
    diamond = Shape(points=((10, 0), (20, 10), (10, 20), (0, 10)))
    assert not diamond.overlaps(Shape(ellipse=(18, 18, 3, 3)))
