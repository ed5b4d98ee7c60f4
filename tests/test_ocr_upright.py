"""A lone narrow glyph is no vertical text line: RapidOCR turns every crop 1.5 times taller
than wide by 90 degrees, and a turned "1" reads as "-" (a silent blank in part 二)."""

from __future__ import annotations

import numpy as np

from extractor.geometry import ocr

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # the CJK font CI installs


def _quad(x: float, y: float, w: float, h: float) -> list[list[float]]:
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def test_a_turned_glyph_sized_crop_is_turned_back_and_a_vertical_line_is_not() -> None:
    glyph = np.arange(20 * 8, dtype=np.uint8).reshape(20, 8)  # 20 high, 8 wide, as printed
    label = np.zeros((200, 20), dtype=np.uint8)  # a vertical label ten characters tall
    word = np.zeros((20, 60), dtype=np.uint8)
    quads = [_quad(0, 0, 8, 20), _quad(50, 0, 20, 200), _quad(100, 0, 60, 20)]
    quads += [_quad(200, 0, 60, 20)] * 3  # the page's usual box: 20 high
    turned = [np.rot90(glyph), np.rot90(label), word, word, word, word]  # as RapidOCR crops
    out = ocr._upright(turned, quads)
    assert out[0].shape == (20, 8) and (out[0] == glyph).all()
    assert out[1].shape == (20, 200)  # ten characters tall: vertical text, left turned
    assert out[2] is word


def test_a_lone_one_cropped_by_its_box_reads_as_one() -> None:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (120, 80), 255)
    ImageDraw.Draw(image).text((50, 20), "1", font=ImageFont.truetype(FONT, 30), fill=0)
    ink = np.flatnonzero((np.asarray(image) < 128).any(axis=0))
    rows = np.flatnonzero((np.asarray(image) < 128).any(axis=1))
    quad = _quad(ink[0] - 2, rows[0] - 3, ink[-1] - ink[0] + 5, rows[-1] - rows[0] + 7)
    assert (quad[2][1] - quad[0][1]) / (quad[1][0] - quad[0][0]) >= ocr.TURNED  # tall, narrow
    bgr = np.ascontiguousarray(np.stack([np.asarray(image)] * 3, axis=-1))
    engine = ocr.engine()
    (crop,) = engine.get_crop_img_list(bgr, [np.array(quad, dtype=np.float32)])
    assert crop.shape[1] > crop.shape[0]  # RapidOCR turned it on its side
    # the page's other boxes give its usual box height (a line of text 27 px high)
    others = [_quad(0, 0, 80, rows[-1] - rows[0] + 7)] * 3
    upright = ocr._upright([crop, crop, crop, crop], [quad, *others])
    assert upright[0].shape[0] > upright[0].shape[1]
    (read,) = ocr._rec(engine, upright, [0], ocr.FULL_WIDTH).values()
    assert read[0] == "1"
