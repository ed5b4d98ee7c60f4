"""Read a PDF or a page image into text plus geometry, by text layer or by OCR.

A PDF whose text layer prints the part-三 table with numbers is read through PDFium's
positioned characters; any other PDF (a scan, a text layer without the table's numbers) and
every image (PNG, JPEG, TIFF, one page per frame) is rendered and OCR'd. Either way the
positioned words go through the one grid builder.
"""

from __future__ import annotations

import io
import re
from typing import Any

from extractor.geometry.grid import build
from extractor.geometry.pdfium_text import open_pdf, pdf_words
from extractor.geometry.words import Geometry, PageWords
from nianbao.core.errors import SourceError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
OCR_DPI = 150  # page renders for OCR: enough for 5-pt table digits, and 4x cheaper than 300
MAX_PAGES = 60  # a report is a few pages; a scan of hundreds is not one report
_T3_MARKERS = re.compile(r"本年新收|上年结转|予以公开|无法提供|不予处理|结转下年度")
_TABLE_NUMBER = re.compile(r"\t\d")


def has_table(text: str) -> bool:
    """Does the text print the part-三 table's labels and numbers in table rows?"""
    return len(set(_T3_MARKERS.findall(text))) >= 3 and len(_TABLE_NUMBER.findall(text)) >= 7


def read_pdf(name: str, raw: bytes) -> tuple[str, Geometry]:
    """Text and geometry of a PDF: its text layer when that holds the table, else OCR."""
    try:
        pages = pdf_words(name, raw)
    except SourceError:
        raise
    except Exception as exc:  # PDFium raises a few kinds on broken files
        raise SourceError(f"{name}: not a readable PDF ({exc.__class__.__name__})") from None
    layer = any(p.words for p in pages)
    if layer:
        text, geometry = build(pages, "text")
        if has_table(text):
            return text, geometry
    from extractor.geometry.ocr_pool import recogniser

    with recogniser() as rec:  # kept through the build: it re-reads cells the pages missed
        pages = ocr_pdf(name, raw, rec)
        if not any(p.words for p in pages):
            if layer:  # text, but not a report's: the part-三 table is in neither
                raise SourceError(
                    f"{name}: no report table in the PDF's text (no 本年新收…/上年结转… rows), "
                    "and OCR read no text"
                )
            raise SourceError(f"{name}: no text in the PDF, neither in a text layer nor by OCR")
        return build(pages, "ocr")


def ocr_pdf(name: str, raw: bytes, rec: Any = None) -> list[PageWords]:
    """Every page rendered at OCR_DPI and OCR'd (pages in parallel where the plan allows)."""
    from extractor.geometry.ocr import ocr_pages

    pdf = open_pdf(name, raw)
    try:
        if len(pdf) > MAX_PAGES:
            raise SourceError(f"{name}: {len(pdf)} pages to OCR; at most {MAX_PAGES}")
        images = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                images.append(page.render(scale=OCR_DPI / 72, grayscale=True).to_pil())
            finally:
                page.close()
    finally:
        pdf.close()
    return ocr_pages(images, rec)


def page_images(name: str, raw: bytes) -> list[Any]:
    """The frames of an image file as PIL images (a multi-page TIFF has several)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(raw))
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise SourceError(f"{name}: not a readable image ({exc.__class__.__name__})") from None
    if len(frames) > MAX_PAGES:
        raise SourceError(f"{name}: {len(frames)} pages to OCR; at most {MAX_PAGES}")
    return frames


def read_image(name: str, raw: bytes) -> tuple[str, Geometry]:
    """Text and geometry of a scanned page image (or a multi-page TIFF), by OCR."""
    from extractor.geometry.ocr import ocr_pages
    from extractor.geometry.ocr_pool import recogniser

    with recogniser() as rec:
        pages = ocr_pages(page_images(name, raw), rec)
        if not any(p.words for p in pages):
            raise SourceError(f"{name}: OCR found no text in the image")
        return build(pages, "ocr")
