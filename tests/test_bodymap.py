"""The body-map generator: zones for every muscle, valid SVG and PNG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from assistant import bodymap
from assistant.bodymap.geometry import default_geometry, parse
from assistant.knowledge.loader import CANONICAL_MUSCLES, default_knowledge
from assistant.knowledge.schema import ReferralKind

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def kb():
    return default_knowledge()


def test_every_canonical_muscle_has_zones_and_trigger_point_places(kb) -> None:
    geometry = default_geometry()
    for muscle_id in CANONICAL_MUSCLES:
        muscle = kb.muscles[muscle_id]
        essential = [r.area for r in muscle.referral if r.kind is ReferralKind.essential]
        assert any(geometry.zones_for(area) for area in essential), muscle_id
        for referral in muscle.referral:
            assert geometry.zones_for(referral.area), f"{muscle_id}: no shape for {referral.area}"
        for point in muscle.trigger_points:
            assert geometry.zones_for(point.area), f"{muscle_id}: no shape for trigger point area {point.area}"


def test_zone_areas_exist_in_the_vocabulary_and_stay_inside_their_view(kb) -> None:
    geometry = default_geometry()
    for zone in geometry.zones:
        assert zone.area in kb.areas
        width, height = geometry.views[zone.view].size
        x0, y0, x1, y1 = zone.shape.bbox()
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, zone


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
    assert (root.get("width"), root.get("height")) == (str(bodymap.WIDTH), str(bodymap.HEIGHT))
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
    assert image.format == "PNG" and image.size == (bodymap.WIDTH, bodymap.HEIGHT)
    colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert any(r > 180 and g < 150 and b < 100 for r, g, b in colours), "the first muscle's orange zones are drawn"
    assert Image.open(io.BytesIO(bodymap.to_png(bodymap.scene(kb, ["soleus"])))).size == (2 * bodymap.WIDTH, 2 * bodymap.HEIGHT)


def test_unknown_ids_and_repeats_are_dropped(kb) -> None:
    assert bodymap.known_muscles(kb, ["<script>", "soleus", "soleus", "masseter"]) == ["soleus", "masseter"]


def test_picker_offers_every_area_on_both_sides_as_a_button(kb) -> None:
    root = ET.fromstring(bodymap.to_svg(bodymap.picker_scene(kb)))
    zones = [e for e in root.iter() if e.get("class") == "zone"]
    areas = {z.get("data-area") for z in zones}
    assert areas == set(default_geometry().areas())
    assert {z.get("data-side") for z in zones} == {"left", "right", "both"}
    assert all(z.get("tabindex") == "0" and z.get("role") == "button" and z.get("aria-label") for z in zones)
