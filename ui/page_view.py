"""The page around a cell: the PDF page or scan cropped around the value, its box drawn.

A reviewer checks a value against the printed page, not against text a reader built from
it. The page is rendered from the source file (PDF through pypdfium2, images through
Pillow), cropped to the cell's neighbourhood (its row and a few cells either side) and
the cell's box outlined, as PNG bytes for the screen.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

Box = tuple[float, float, float, float]
RENDER_DPI = 110  # page renders for the screen: digits readable, one page ~ 1 MB of pixels
MARGIN = (0.22, 0.05)  # crop margin around the box, as fractions of the page (x, y)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


@lru_cache(maxsize=8)
def _page(path: str, mtime: float, page: int) -> Any:
    """One page of the source as an RGB PIL image (cached: reviewers click cell to cell)."""
    from PIL import Image, ImageSequence

    if path.lower().endswith(".pdf"):
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        try:
            pdf_page: Any = pdf[page - 1]  # render takes any scale (its hint says int)
            return pdf_page.render(scale=RENDER_DPI / 72).to_pil().convert("RGB")
        finally:
            pdf.close()
    with Image.open(path) as image:
        for n, frame in enumerate(ImageSequence.Iterator(image), 1):
            if n == page:
                return frame.convert("RGB")
    raise IndexError(f"{path}: no page {page}")


def page_crop(path: str | Path, page: int, box: Box) -> bytes | None:
    """PNG of the page around `box` (page fractions) with the box drawn; None when the
    source file is gone, unreadable or not a paged format."""
    from PIL import ImageDraw

    source = Path(path)
    if source.suffix.lower() not in (".pdf", *IMAGE_SUFFIXES):
        return None
    try:
        image = _page(str(source), source.stat().st_mtime, page)
    except Exception:  # a moved, changed or broken source: the screen shows the text only
        return None
    width, height = image.size
    x0, y0, x1, y1 = box[0] * width, box[1] * height, box[2] * width, box[3] * height
    mx, my = MARGIN[0] * width, MARGIN[1] * height
    left, top = max(0, int(x0 - mx)), max(0, int(y0 - my))
    right, bottom = min(width, int(x1 + mx)), min(height, int(y1 + my))
    crop = image.crop((left, top, right, bottom))
    draw = ImageDraw.Draw(crop)
    pad = 3
    draw.rectangle(
        (x0 - left - pad, y0 - top - pad, x1 - left + pad, y1 - top + pad),
        outline=(220, 38, 38),
        width=3,
    )
    out = io.BytesIO()
    crop.save(out, format="PNG")
    return out.getvalue()
