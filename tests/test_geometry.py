"""Positioned text and the grid builder: PDFs by geometry, blanks that stay blank.

The real PDFs of the eval set are read through pypdfium2 and the grid builder and must
score every cell as the gold says (at least as well as the former pdfplumber path); the
grid builder is also driven with hand-placed words, so each rule is seen on its own.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.geometry.grid import build
from extractor.geometry.numbers import PLACEHOLDER, read_value
from extractor.geometry.pdfium_text import pdf_words
from extractor.geometry.provenance import locate_cells
from extractor.geometry.words import Anchor, Geometry, PageWords, Word
from extractor.parser import ParserExtractor
from extractor.readers import read_document
from extractor.readers.pdf import pdf_to_text
from nianbao.core.document import SourceDocument
from nianbao.core.models import CanonicalReport
from rules.verdict import verdict

REAL = Path(__file__).resolve().parent.parent / "eval" / "data" / "real"
PDFS = sorted(REAL.glob("*.pdf"))


def _gold(path: Path) -> CanonicalReport:
    return CanonicalReport.from_json((REAL / f"{path.stem}.gold.json").read_text("utf-8"))


def _right(doc: SourceDocument, gold: CanonicalReport) -> int:
    got = ParserExtractor().extract(doc).report.cells
    return sum(got[k] == v for k, v in gold.cells.items())


def test_the_eval_set_has_pdfs() -> None:
    assert len(PDFS) >= 2


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_real_pdf_reads_every_gold_cell_through_geometry(path: Path) -> None:
    doc = read_document(path)
    assert doc.geometry is not None and doc.geometry.source == "text"
    gold = _gold(path)
    extraction = ParserExtractor().extract(doc)
    wrong = {
        k: (extraction.report.cells[k], v)
        for k, v in gold.cells.items()
        if extraction.report.cells[k] != v
    }
    assert wrong == {}
    # at least as good as the former text path (pdfplumber's tables)
    before = SourceDocument.from_text(path.name, pdf_to_text(path.name, path.read_bytes()))
    assert _right(doc, gold) >= _right(before, gold)
    # every value read from the page knows its page and box
    for key, prov in extraction.provenance.items():
        if extraction.report.cells[key] is not None:
            assert prov.page is not None and prov.box is not None, key
            x0, y0, x1, y1 = prov.box
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


def test_pdfium_words_carry_boxes_on_their_page() -> None:
    pages = pdf_words("r.pdf", (REAL / "corpus-012_hongze-district-2023.pdf").read_bytes())
    found = [(p.index, w) for p in pages for w in p.words if w.text == "4119"]
    assert len(found) == 1
    index, word = found[0]
    assert index == 2  # the third page, as printed
    assert 0 < word.x0 < word.x1 < pages[index].width
    assert 0 < word.y0 < word.y1 < pages[index].height


# ---- the grid builder on hand-placed words ----------------------------------------------
def _w(text: str, x: float, y: float, width: float = 12.0, score: float = 1.0) -> Word:
    return Word(text, x, y, x + width, y + 10, score)


def _page(words: list[Word], source: str = "text") -> PageWords:
    return PageWords(0, 600.0, 800.0, words, source=source)


def _rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if "\t" in line]


def test_empty_cell_prints_a_blank_and_keeps_its_neighbours_in_their_columns() -> None:
    xs = (300, 340, 380)
    words = [_w("甲", 300, 50, 10), _w("乙", 340, 50, 10), _w("丙", 380, 50, 10)]
    words += [_w("第一行", 60, 70, 60), _w("5", xs[0], 70), _w("6", xs[1], 70), _w("7", xs[2], 70)]
    # the middle cell of the second row is empty: nothing printed there
    words += [_w("第二行", 60, 90, 60), _w("8", xs[0], 90), _w("9", xs[2], 90)]
    text, geometry = build([_page(words)])
    assert _rows(text) == [["第一行", "5", "6", "7"], ["第二行", "8", PLACEHOLDER, "9"]]
    blank = [a for a in geometry.anchors if a.blank]
    assert len(blank) == 1 and text[blank[0].start : blank[0].end] == PLACEHOLDER


def test_a_column_blank_in_every_row_is_kept_from_its_header() -> None:
    words = [_w("甲", 300, 50, 10), _w("乙", 340, 50, 10), _w("丙", 380, 50, 10)]
    for n, y in enumerate((70, 90)):
        words += [_w(f"行{n}", 60, y, 30), _w("1", 300, y), _w("2", 380, y)]
    text, _ = build([_page(words)])
    assert _rows(text) == [["行0", "1", PLACEHOLDER, "2"], ["行1", "1", PLACEHOLDER, "2"]]


def test_wrapped_label_lines_join_their_row() -> None:
    words = [_w("甲", 300, 50, 10), _w("乙", 340, 50, 10)]
    words += [_w("第一行", 60, 70, 60), _w("1", 300, 70), _w("2", 340, 70)]
    # a two-line label: its lines above and below the row's values
    words += [_w("（二）部分公开", 60, 84, 90), _w("4", 300, 90), _w("0", 340, 90)]
    words += [_w("计其他情形）", 60, 97, 80)]
    text, _ = build([_page(words)])
    rows = _rows(text)
    assert rows[1][1:] == ["4", "0"]
    assert rows[1][0].replace(" ", "") == "（二）部分公开计其他情形）"


def test_table_continued_on_the_next_page_keeps_its_columns() -> None:
    head = [_w("甲", 300, 50, 10), _w("乙", 340, 50, 10), _w("丙", 380, 50, 10)]
    first = [*head, _w("第一行", 60, 70, 60), _w("1", 300, 70), _w("2", 340, 70), _w("3", 380, 70)]
    # page 2 starts inside the table, its only row missing the middle value
    second = [_w("第二行", 60, 40, 60), _w("4", 300, 40), _w("6", 380, 40)]
    pages = [_page(first), PageWords(1, 600.0, 800.0, second)]
    text, geometry = build(pages)
    assert _rows(text)[-1] == ["第二行", "4", PLACEHOLDER, "6"]
    assert {a.page for a in geometry.anchors} == {0, 1}


def test_ocr_cell_with_ink_but_no_reading_is_not_a_blank() -> None:
    import numpy as np

    ink = np.full((800, 600), 255, dtype=np.uint8)
    ink[92:98, 343:349] = 0  # something printed in the middle cell that OCR did not read
    words = [_w("甲", 300, 50, 10), _w("乙", 340, 50, 10), _w("丙", 380, 50, 10)]
    words += [_w("第一行", 60, 70, 60), _w("5", 300, 70), _w("6", 340, 70), _w("7", 380, 70)]
    words += [_w("第二行", 60, 90, 60), _w("8", 300, 90), _w("9", 380, 90)]
    page = _page(words, source="ocr")
    page.ink = ink
    text, geometry = build([page])
    assert _rows(text)[1] == ["第二行", "8", "?", "9"]
    assert not any(a.blank for a in geometry.anchors)
    page.ink = np.full((800, 600), 255, dtype=np.uint8)  # a clean cell: a proven blank
    text, geometry = build([page])
    assert _rows(text)[1] == ["第二行", "8", PLACEHOLDER, "9"]


def test_page_footer_dashes_make_no_row() -> None:
    words = [_w("甲", 300, 50, 10), _w("第一行", 60, 70, 60), _w("5", 300, 70)]
    words += [_w("-", 280, 760, 5), _w("3", 290, 756, 6), _w("-", 300, 760, 5)]
    text, _ = build([_page(words)])
    assert _rows(text) == [["第一行", "5"]]


@pytest.mark.parametrize(
    ("text", "ocr", "expected", "repaired"),
    [
        ("12", False, "12", False),
        ("1,234", False, "1,234", False),
        ("7730.28", False, "7730.28", False),
        ("１２", False, "12", False),
        ("—", False, PLACEHOLDER, False),
        ("1O5", True, "105", True),
        ("l2", True, "12", True),
        ("S8", True, "58", True),
        ("2B", True, "28", True),
        ("〇", True, "0", True),
        ("o", True, "0", True),
        ("1O5", False, None, False),  # a text layer's letters are letters
        ("SB", True, None, False),  # no digit: more likely letters
        ("本年", True, None, False),
    ],
)
def test_value_words_and_ocr_digit_confusions(
    text: str, ocr: bool, expected: str | None, repaired: bool
) -> None:
    reading = read_value(text, ocr)
    if expected is None:
        assert reading is None
    else:
        assert reading is not None and reading.text == expected
        assert reading.repaired is repaired


# ---- OCR score against the identities ---------------------------------------------------
def _ocr_doc(score: float, broken: bool) -> tuple[SourceDocument, str]:
    """A tab-row report whose t3.new row is anchored as OCR'd with `score`."""
    values = ["5", "0", "0", "0", "0", "0", "9" if broken else "5"]
    rows = {
        "一、本年新收政府信息公开申请数量": values,
        "二、上年结转政府信息公开申请数量": ["0"] * 7,
    }
    head = "三、收到和处理政府信息公开申请情况\n"
    text = head + "".join(f"{label}\t" + "\t".join(v) + "\n" for label, v in rows.items())
    text += "（一）予以公开\t" + "\t".join(["5", "0", "0", "0", "0", "0", "5"]) + "\n"
    text += "（七）总计\t" + "\t".join(["5", "0", "0", "0", "0", "0", "5"]) + "\n"
    text += "四、结转下年度继续办理\t" + "\t".join(["0"] * 7) + "\n"
    label = "一、本年新收政府信息公开申请数量\t"
    start = text.index(label) + len(label)
    anchors = (Anchor(start, start + 1, 0, (0.5, 0.5, 0.52, 0.51), score),)
    doc = SourceDocument("scan.png", text, "image", geometry=Geometry(anchors, source="ocr"))
    return doc, "t3.new.natural"


def test_low_score_number_confirmed_by_identities_is_not_flagged() -> None:
    doc, key = _ocr_doc(0.6, broken=False)
    extraction = ParserExtractor().extract(doc)
    assert extraction.report.cells[key] == 5
    assert key not in extraction.flags
    assert extraction.provenance[key].page == 1


def test_low_score_number_no_identity_confirms_is_flagged() -> None:
    doc, key = _ocr_doc(0.6, broken=True)
    extraction = ParserExtractor().extract(doc)
    flags = verdict(extraction, doc.text).flags
    assert key in extraction.flags and key in flags
    assert extraction.provenance[key].confidence <= 0.6
    assert any("OCR read" in n for n in extraction.provenance[key].notes)


@pytest.mark.parametrize("blank_score, confirmed", [(0.99, True), (0.5, False)])
def test_a_printed_blank_counts_as_nothing_when_identities_confirm_a_low_score(
    blank_score: float, confirmed: bool
) -> None:
    # 5 + "—" + 0 + … = 5 and 5 + "—" = 5 + 0: the identities hold with the blanks as
    # nothing printed, so the doubtful 5 is confirmed; blank marks that are themselves
    # doubtful confirm nothing
    doc, key = _ocr_doc(0.6, broken=False)
    new, carried = "一、本年新收政府信息公开申请数量\t", "二、上年结转政府信息公开申请数量\t"
    text = doc.text.replace(new + "5\t0", new + "5\t—", 1).replace(carried + "0", carried + "—", 1)
    at = text.index(new) + len(new)
    blank_in_row, blank_below = at + 2, text.index(carried) + len(carried)
    anchors = (
        Anchor(at, at + 1, 0, (0.5, 0.5, 0.52, 0.51), 0.6),
        Anchor(blank_in_row, blank_in_row + 1, 0, (0.53, 0.5, 0.55, 0.51), blank_score),
        Anchor(blank_below, blank_below + 1, 0, (0.5, 0.53, 0.52, 0.54), blank_score),
    )
    scan = SourceDocument("scan.png", text, "image", geometry=Geometry(anchors, source="ocr"))
    extraction = ParserExtractor().extract(scan)
    assert extraction.report.cells[key] == 5
    assert extraction.report.cells["t3.new.commercial"] is None
    assert extraction.report.cells["t3.carried_over.natural"] is None
    assert (key not in verdict(extraction, scan.text).flags) is confirmed


def test_locate_cells_leaves_text_sources_alone() -> None:
    doc, _ = _ocr_doc(0.6, broken=False)
    plain = SourceDocument.from_text("r.txt", doc.text)
    extraction = ParserExtractor().extract(plain)
    assert locate_cells(plain, extraction) is extraction
    assert all(p.page is None for p in extraction.provenance.values())


def test_provenance_page_and_box_survive_json() -> None:
    doc, key = _ocr_doc(0.99, broken=False)
    extraction = ParserExtractor().extract(doc)
    data = json.loads(extraction.model_dump_json())
    assert data["provenance"][key]["page"] == 1
    assert data["provenance"][key]["box"] == [0.5, 0.5, 0.52, 0.51]
    assert Decimal(str(data["report"]["cells"][key])) == 5


def test_text_layer_without_the_table_goes_to_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF whose text layer lacks the table's numbers (the tables are images) is OCR'd."""
    import pypdfium2 as pdfium

    from extractor.geometry import reader

    real = (REAL / "corpus-012_hongze-district-2023.pdf").read_bytes()
    src, first = pdfium.PdfDocument(real), pdfium.PdfDocument.new()
    first.import_pages(src, [0])  # page 1: prose only, no table
    buf = io.BytesIO()
    first.save(buf)
    asked: list[str] = []

    def fake_ocr(name: str, raw: bytes, rec: object = None) -> list[PageWords]:
        asked.append(name)  # stands in for the recogniser: the real PDF's words, as OCR
        pages = pdf_words(name, real)
        for page in pages:
            page.source = "ocr"
        return pages

    monkeypatch.setattr(reader, "ocr_pdf", fake_ocr)
    text, geometry = reader.read_pdf("tables-as-images.pdf", buf.getvalue())
    assert asked == ["tables-as-images.pdf"] and geometry.source == "ocr"
    assert reader.has_table(text)
    # a PDF whose text layer prints the table is never OCR'd
    asked.clear()
    assert reader.read_pdf("r.pdf", real)[1].source == "text" and asked == []


def _ocr_blank_doc(score: float) -> tuple[SourceDocument, str]:
    """A tab-row report whose t2 fees row prints a blank mark, anchored as OCR'd with
    `score` (part 二 has no identity: nothing but the reading vouches for the blank)."""
    doc, _ = _ocr_doc(0.99, broken=False)
    row = "行政事业性收费\t0\t-\n"
    text = "二、主动公开政府信息情况\n" + row + doc.text
    start = text.index(row) + len(row) - 2
    anchors = (Anchor(start, start + 1, 0, (0.6, 0.2, 0.62, 0.21), score),)
    return (
        SourceDocument("scan.png", text, "image", geometry=Geometry(anchors, source="ocr")),
        "t2.fees.change",
    )


def test_a_blank_mark_read_with_a_low_score_is_flagged() -> None:
    # a thin, blurred "1" can read as "-": no identity can tell, so a person looks
    doc, key = _ocr_blank_doc(0.62)
    extraction = ParserExtractor().extract(doc)
    assert extraction.report.cells[key] is None
    assert key in verdict(extraction, doc.text).flags
    assert any("blank mark" in n for n in extraction.provenance[key].notes)
    sure, key = _ocr_blank_doc(0.97)
    extraction = ParserExtractor().extract(sure)
    assert key not in verdict(extraction, sure.text).flags  # a sure blank stays proven


# ---- a doubtful value read again ---------------------------------------------------------
def _read_twice(
    first: str, again: tuple[str, float] | None
) -> tuple[str, Geometry, list[tuple[float, ...]]]:
    """A row whose second cell OCR read as `first` with score 0.6, built with a second
    reading that answers `again`; the text, its geometry and the boxes read again."""
    words = [_w("甲", 300, 50, 10), _w("乙", 340, 50, 10)]
    words += [_w("第一行", 60, 70, 60), _w("5", 300, 70), _w(first, 340, 70, score=0.6)]
    page = _page(words, source="ocr")
    asked: list[tuple[float, ...]] = []

    def confirm(boxes: list[tuple[float, float, float, float]]) -> list[tuple[str, float] | None]:
        asked.extend(boxes)
        return [again for _ in boxes]

    page.confirm = confirm
    text, geometry = build([page])
    return text, geometry, asked


@pytest.mark.parametrize(
    ("again", "expected"),
    [
        (("0", 0.97), 0.97),  # read again the same, and sure: confirmed
        (("8", 0.99), 0.6),  # read again otherwise: as doubtful as it was
        (("0", 0.7), 0.7),  # the same, still unsure: still below the bar
        (None, 0.6),  # nothing read again
    ],
)
def test_a_low_score_value_is_confirmed_only_by_an_agreeing_sure_second_reading(
    again: tuple[str, float] | None, expected: float
) -> None:
    text, geometry, asked = _read_twice("0", again)
    assert _rows(text)[0] == ["第一行", "5", "0"]
    assert asked == [(340, 70, 352, 80)]  # only the doubtful value, by its own box
    zero = next(a for a in geometry.anchors if text[a.start : a.end] == "0")
    assert zero.score == pytest.approx(expected)


@pytest.mark.parametrize(
    ("again", "expected"),
    [
        (("0", 0.93), 0.93),  # the look-alike read again as the plain digit: confirmed
        (("O", 0.97), 0.97 * 0.95),  # read again as the look-alike: still a repair
        (("8", 0.99), 0.6 * 0.95),
    ],
)
def test_a_repaired_low_score_value_is_confirmed_by_a_plain_second_reading(
    again: tuple[str, float], expected: float
) -> None:
    text, geometry, _ = _read_twice("O", again)
    assert _rows(text)[0] == ["第一行", "5", "0"]
    zero = next(a for a in geometry.anchors if text[a.start : a.end] == "0")
    assert zero.score == pytest.approx(expected)


@pytest.mark.parametrize(
    ("again", "expected"),
    [
        (("-", 0.95), 0.95),  # a blank mark read again as one, and sure: confirmed
        (("1", 0.99), 0.6),  # read again as a digit: stays doubtful (flagged downstream)
        (None, 0.6),
    ],
)
def test_a_low_score_blank_mark_is_confirmed_only_by_a_second_blank(
    again: tuple[str, float] | None, expected: float
) -> None:
    text, geometry, _ = _read_twice("-", again)
    assert _rows(text)[0][:2] == ["第一行", "5"]
    mark = next(a for a in geometry.anchors if a.score < 0.99)
    assert mark.score == pytest.approx(expected)


@pytest.mark.parametrize(
    ("char", "digit"),
    [
        ("0", "0"),
        ("O", "0"),
        ("o", "0"),
        ("〇", "0"),
        ("Ｏ", "0"),
        ("D", "0"),
        ("l", "1"),
        ("S", "5"),
        ("B", "8"),
        ("，", ","),
        ("7", "7"),
        ("中", None),
        ("A", None),
    ],
)
def test_recogniser_characters_pool_into_the_digit_they_stand_for(
    char: str, digit: str | None
) -> None:
    from extractor.geometry.numbers import digit_class

    assert digit_class(char) == digit


def test_a_lone_zero_read_as_a_number_pools_its_look_alikes() -> None:
    """The recogniser splits a printed 0 between "0", "O", "o", "〇": read as a number, the
    pooled probability is the reading's score, never less than its top character's."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    from extractor.geometry import ocr

    font = ImageFont.load_default(size=18)  # Pillow's own scalable font: no OS font needed
    crops, raw_scores = [], []
    for text in ("0", "8", "30"):
        image = Image.new("L", (16 * len(text) + 4, 26), 255)
        ImageDraw.Draw(image).text((2, 1), text, font=font, fill=0)
        grey = np.asarray(image.filter(ImageFilter.GaussianBlur(0.7)))
        crops.append(np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2)))
    raw_scores = ocr.recognise_cells(crops)
    pooled = ocr.recognise_digits(crops)
    assert [t for t, _ in pooled] == ["0", "8", "30"]
    for (raw_text, raw), (_, score) in zip(raw_scores, pooled, strict=True):
        if raw_text in ("0", "8", "30"):
            assert score >= raw - 1e-6
    # a page's crops go in one batch: each reads as it does alone
    for crop, (text, score) in zip(crops, pooled, strict=True):
        alone = ocr.recognise_digits([crop])[0]
        assert alone[0] == text and alone[1] == pytest.approx(score, abs=1e-4)


def _ruled_page(rules: list[int], label: str, label_y: float) -> PageWords:
    """Two value columns (x 300-352); row 第一行 at y 70; a label-only line at `label_y`;
    horizontal ruling lines across the table at the `rules` y positions."""
    import numpy as np

    ink = np.full((800, 600), 255, dtype=np.uint8)
    for y in rules:
        ink[y : y + 2, 40:400] = 0
    words = [_w("甲", 300, 40, 10), _w("乙", 340, 40, 10)]
    words += [_w("第一行", 60, 70, 60), _w("5", 300, 70), _w("6", 340, 70)]
    words += [_w(label, 60, label_y, 60)]
    page = _page(words, source="ocr")
    page.ink = ink
    return page


def test_a_ruled_row_with_every_cell_empty_keeps_its_blanks() -> None:
    # the label-only line is boxed off from the row above by ruling lines: a row of its own
    # whose cells are blank, not a second line of 第一行's label taking its values
    text, geometry = build([_ruled_page([64, 84, 104], "第二行", 89)])
    assert _rows(text) == [["第一行", "5", "6"], ["第二行", PLACEHOLDER, PLACEHOLDER]]
    assert sum(a.blank for a in geometry.anchors) == 2


def _boxed(words: list[Word], rules: list[int], vertical: int | None) -> PageWords:
    """An OCR page of `words` with horizontal ruling lines at the `rules` y positions (x 40-400)
    and a vertical one at x `vertical` (the label column's border) from the first rule down."""
    import numpy as np

    ink = np.full((800, 600), 255, dtype=np.uint8)
    for y in rules:
        ink[y : y + 2, 40:400] = 0
    if vertical is not None:
        ink[rules[0] : rules[-1], vertical : vertical + 2] = 0
    page = _page(words, source="ocr")
    page.ink = ink
    return page


def test_a_first_row_printed_empty_is_a_row_not_header_text() -> None:
    # 第一行 sits between the column header and the first row with values, boxed off by
    # rules: a row of blanks (its label is not header text to be dropped)
    words = [_w("信息内容", 60, 40, 60), _w("甲", 300, 40, 10), _w("乙", 340, 40, 10)]
    words += [_w("第一行", 60, 70, 60)]
    words += [_w("第二行", 60, 90, 60), _w("5", 300, 90), _w("6", 340, 90)]
    text, geometry = build([_boxed(words, [34, 64, 84, 104], 200)])
    assert _rows(text)[-2:] == [["第一行", PLACEHOLDER, PLACEHOLDER], ["第二行", "5", "6"]]
    assert sum(a.blank for a in geometry.anchors) == 2
    # no rule between it and the header: header text, as before
    text, _ = build([_boxed(words, [34, 84, 104], 200)])
    assert ["第一行", PLACEHOLDER, PLACEHOLDER] not in _rows(text)
    # a text page: the same from the horizontal segments the PDF draws
    page = _page(words)
    page.rules = [(40.0, y, 400.0, y + 1.0) for y in (34.0, 64.0, 84.0, 104.0)]
    assert _rows(build([page])[0])[-2:] == [
        ["第一行", PLACEHOLDER, PLACEHOLDER],
        ["第二行", "5", "6"],
    ]


def test_a_table_whose_only_row_is_empty_prints_its_blank() -> None:
    # no value anywhere to start a table: the header's phrases right of the label name the
    # columns, the rules box the label's line off, a vertical rule parts it from the cells
    words = [_w("信息内容", 60, 40, 60), _w("本年收费金额", 300, 40, 80)]
    words += [_w("行政事业性收费", 60, 70, 80), _w("三、下一部分", 20, 110, 100)]
    text, geometry = build([_boxed(words, [34, 64, 84], 200)])
    assert ["行政事业性收费", PLACEHOLDER] in _rows(text)
    assert "三、下一部分" in text.splitlines()  # a heading below the table is no row
    assert sum(a.blank for a in geometry.anchors) == 1
    # with no vertical rule beside it the line may be a heading boxed between two tables
    text, _ = build([_boxed(words, [34, 64, 84], None)])
    assert "行政事业性收费" in text.splitlines()
    # a text page: the same from the segments the PDF draws
    page = _page(words)
    page.rules = [(40.0, y, 400.0, y + 1.0) for y in (34.0, 64.0, 84.0)]
    page.uprights = [(200.0, 34.0, 201.0, 84.0)]
    assert ["行政事业性收费", PLACEHOLDER] in _rows(build([page])[0])


def test_a_number_a_ruling_line_crosses_is_two_cells() -> None:
    import numpy as np

    # at low resolution the recogniser reads two narrow cells as one word "2435617"; the
    # ruling line between the cells (running on above and below the text) splits it
    ink = np.full((800, 600), 255, dtype=np.uint8)
    ink[60:100, 330:332] = 0  # the border between the cells, from the row above to below
    ink[72:78, 301:328] = 0  # the digits' ink either side of it
    ink[72:78, 334:370] = 0
    words = [_w("第一行", 60, 70, 60), _w("2435617", 300, 70, 70)]
    words += [_w("第二行", 60, 85, 60), _w("4", 310, 85), _w("57", 345, 85, 16)]
    page = _page(words, source="ocr")
    page.ink = ink
    text, _ = build([page])
    assert _rows(text) == [["第一行", "243", "5617"], ["第二行", "4", "57"]]
    # a word no line crosses (a "1" is a stroke the text's height only) stays one number
    ink[60:100, 330:332] = 255
    ink[70:80, 330:332] = 0
    assert _rows(build([page])[0])[0] == ["第一行", "2435617"]


def test_a_box_overhanging_a_drawn_border_stays_in_its_own_column() -> None:
    import numpy as np

    # low resolution: "238"'s box reaches 3 px past the border (x 330) into the next cell,
    # whose "1213" starts 1 px before it. The border runs down the rows: two columns
    ink = np.full((800, 600), 255, dtype=np.uint8)
    ink[60:110, 330:332] = 0
    words = [_w("第一行", 60, 70, 60), _w("238", 300, 70, 33), _w("1213", 329, 70, 40)]
    words += [_w("第二行", 60, 90, 60), _w("22", 305, 90, 20), _w("602", 340, 90, 24)]
    page = _page(words, source="ocr")
    page.ink = ink
    assert _rows(build([page])[0]) == [["第一行", "238", "1213"], ["第二行", "22", "602"]]
    # no border drawn there: one column, the touching pieces one number (as ever; the
    # identities then judge it)
    page.ink = np.full((800, 600), 255, dtype=np.uint8)
    assert _rows(build([page])[0])[0] == ["第一行", "2381213"]


def test_a_wrapped_label_line_within_its_row_joins_it() -> None:
    # no ruling line between the row and the label's second line: one cell, one row
    text, _ = build([_ruled_page([64, 96], "续行", 82)])
    assert _rows(text) == [["第一行 续行", "5", "6"]]


def test_one_value_column_keeps_the_blank_columns_its_header_names() -> None:
    # values only ever in the first column: the header line names two more, blank in every
    # row; they keep their x-ranges, so "396" is one value in one cell, never 3 / 9 / 6
    words = [_w("上一年项目数量", 280, 50, 80), _w("本年增/减", 400, 50, 60)]
    words += [_w("处理决定数量", 490, 50, 70)]
    for n, (y, value) in enumerate(((70, "396"), (90, "10"), (110, "2648"))):
        words += [_w(f"行{n}", 60, y, 30), _w(value, 305, y, 8 * len(value))]
    text, geometry = build([_page(words)])
    assert _rows(text) == [
        ["行0", "396", PLACEHOLDER, PLACEHOLDER],
        ["行1", "10", PLACEHOLDER, PLACEHOLDER],
        ["行2", "2648", PLACEHOLDER, PLACEHOLDER],
    ]
    assert sum(a.blank for a in geometry.anchors) == 6


def test_one_value_column_in_wide_cells_keeps_the_blank_column_its_header_names() -> None:
    # wide cells: the header phrases stand a cell (120) apart, far wider than a phrase or a
    # value; the blank 采购总金额 is still a column of its own
    words = [_w("信息内容", 80, 50, 40), _w("采购项目数量", 190, 50, 60)]
    words += [_w("采购总金额", 315, 50, 50)]
    words += [_w("政府集中采购", 60, 70, 60), _w("0", 216, 70)]
    text, geometry = build([_page(words)])
    assert _rows(text) == [["政府集中采购", "0", PLACEHOLDER]]
    assert sum(a.blank for a in geometry.anchors) == 1


def test_one_value_column_keeps_the_blank_columns_its_ruling_lines_draw() -> None:
    import numpy as np

    # an OCR page whose header was not read at all: the vertical ruling lines of each row
    # draw three value cells (x 260-380, 380-470, 470-560) right of the label cell
    ink = np.full((800, 600), 255, dtype=np.uint8)
    for x in (40, 260, 380, 470, 560):
        ink[60:120, x : x + 2] = 0
    words: list[Word] = []
    for n, (y, value) in enumerate(((70, "396"), (90, "10"), (110, "2648"))):
        words += [_w(f"行{n}", 60, y, 30), _w(value, 305, y, 8 * len(value))]
    page = _page(words, source="ocr")
    page.ink = ink
    text, _ = build([page])
    assert [row[1:] for row in _rows(text)] == [
        ["396", PLACEHOLDER, PLACEHOLDER],
        ["10", PLACEHOLDER, PLACEHOLDER],
        ["2648", PLACEHOLDER, PLACEHOLDER],
    ]


def test_a_text_page_s_drawn_cells_keep_columns_blank_in_every_row() -> None:
    # a part-四-like row of values only, its first two cells empty: the PDF draws the cell
    # borders (vertical segments at x 40, 80, …, 240); the empty cells print blanks
    words = [_w(v, x, 70, 8) for v, x in zip("0000", (136, 176, 216, 96), strict=True)]
    page = _page(words)
    page.uprights = [(x - 0.5, 60.0, x + 0.5, 90.0) for x in range(40, 241, 40)]
    text, geometry = build([page])
    assert _rows(text) == [[PLACEHOLDER, "0", "0", "0", "0"]]
    assert sum(a.blank for a in geometry.anchors) == 1
    # without the drawn borders nothing shows the first cell
    page.uprights = None
    assert _rows(build([page])[0]) == [["0", "0", "0", "0"]]


def test_header_words_a_drawn_border_parts_are_two_columns() -> None:
    # a narrow table prints two cells' headers closer than a phrase's gap; the drawn border
    # between them keeps them two phrases, so the blank column under 乙 is kept
    words = [_w("甲甲", 300, 50, 20), _w("乙乙", 324, 50, 20)]
    words += [_w("第一行", 60, 70, 60), _w("5", 305, 70)]
    page = _page(words)
    assert _rows(build([page])[0]) == [["第一行", "5"]]
    page.uprights = [(321.5, 45.0, 322.5, 80.0)]
    assert _rows(build([page])[0]) == [["第一行", "5", PLACEHOLDER]]


def test_a_header_line_below_right_aligned_numbers_ends_their_table() -> None:
    # numbers aligned right stand right of the next table's header: the header line, a
    # cell's gap between its phrases, is no wrapped label; its table keeps its own column
    words = [_w("信息内容", 60, 40, 40), _w("甲", 200, 40, 10), _w("乙", 300, 40, 10)]
    words += [_w("第一行", 60, 60, 30), _w("5", 250, 60), _w("6", 350, 60)]
    words += [_w("信息内容", 60, 80, 40), _w("丙丙丙丙", 230, 80, 40)]
    words += [_w("第二行", 60, 100, 30), _w("7", 350, 100)]
    text, _ = build([_page(words)])
    assert _rows(text)[-1] == ["第二行", "7"]
    assert "信息内容 丙丙丙丙" in text.splitlines()
    # a label wrapped onto a second line (words a space apart) stays the row's label
    words = [_w("第一行", 60, 60, 30), _w("5", 250, 60), _w("6", 350, 60)]
    words += [_w("第二行很长的标签", 60, 80, 80), _w("续", 143, 80, 10)]
    words += [_w("完", 60, 96, 10), _w("7", 250, 96), _w("8", 350, 96)]
    assert _rows(build([_page(words)])[0])[-1] == ["第二行很长的标签续 完", "7", "8"]


def test_a_number_whose_box_straddles_two_header_columns_is_one_value_in_one_cell() -> None:
    # two headers side by side over one value column; "12345"'s box reaches across both:
    # the two ranges are one column, the number is printed whole once, never cut in two
    words = [_w("甲", 300, 50, 10), _w("乙", 340, 50, 10), _w("丙", 440, 50, 10)]
    words += [_w("第一行", 60, 70, 60), _w("12345", 300, 70, 60), _w("7", 440, 70)]
    words += [_w("第二行", 60, 90, 60), _w("8", 300, 90), _w("9", 440, 90)]
    text, geometry = build([_page(words)])
    rows = _rows(text)
    assert rows[0] == ["第一行", "12345", "7"]
    assert rows[1] == ["第二行", "8", "9"]
    assert not any(a.blank for a in geometry.anchors)


def test_the_grid_builder_merges_column_ranges_a_value_box_straddles() -> None:
    from extractor.geometry.grid import Block, Line, _one_box_one_column
    from extractor.geometry.numbers import read_value

    # ranges given by headers or ruling lines, 300-330 and 335-365, and a number printed
    # across both: one box is one value, so the two ranges are one column
    row = Line([_w("第一行", 60, 70, 60), _w("12345", 310, 70, 45), _w("7", 440, 70)])
    for i in (1, 2):
        reading = read_value(row.words[i].text, False)
        assert reading is not None
        row.values[i] = reading
    columns = [(300.0, 330.0), (335.0, 365.0), (435.0, 455.0)]
    assert _one_box_one_column(Block(rows=[row]), columns) == [(300.0, 365.0), (435.0, 455.0)]
    # a box that only touches a neighbour's edge leaves both ranges alone
    row.words[1] = _w("12", 305, 70, 27)
    assert _one_box_one_column(Block(rows=[row]), columns) == columns


def test_an_ocr_header_read_as_one_line_is_split_at_its_gaps_and_rules() -> None:
    import numpy as np

    # the recogniser read the three column headers as one word; the image shows three
    # printed pieces (the last two apart by a vertical ruling line), values in the first
    ink = np.full((800, 600), 255, dtype=np.uint8)
    ink[52:58, 280:360] = 0  # 上一年项目数量
    ink[52:58, 400:460] = 0  # 本年增/减
    ink[40:70, 475:476] = 0  # a ruling line close to the next header
    ink[52:58, 478:548] = 0  # 处理决定数量
    words = [_w("上一年项目数量本年增/减处理决定数量", 280, 50, 268)]
    for n, (y, value) in enumerate(((70, "396"), (90, "10"))):
        words += [_w(f"行{n}", 60, y, 30), _w(value, 305, y, 8 * len(value))]
        ink[y + 2 : y + 8, 305 : 305 + 8 * len(value)] = 0
    page = _page(words, source="ocr")
    page.ink = ink
    text, _ = build([page])
    assert [row[1:] for row in _rows(text)] == [
        ["396", PLACEHOLDER, PLACEHOLDER],
        ["10", PLACEHOLDER, PLACEHOLDER],
    ]


def test_a_ruled_column_blank_between_the_label_and_the_values_is_kept() -> None:
    import numpy as np

    # one row: label cell 40-200, a cell blank in every row 200-300, the value cell
    # 300-400; the blank cell lies left of the values but right of the label's words
    ink = np.full((800, 600), 255, dtype=np.uint8)
    for x in (40, 200, 300, 400):
        ink[60:90, x : x + 2] = 0
    words = [_w("政府集中采购", 60, 70, 90), _w("84.91", 330, 70, 40)]
    ink[72:78, 330:370] = 0
    page = _page(words, source="ocr")
    page.ink = ink
    text, geometry = build([page])
    assert _rows(text) == [["政府集中采购", PLACEHOLDER, "84.91"]]
    assert sum(a.blank for a in geometry.anchors) == 1


def test_wide_numbers_nearly_touching_across_a_ruling_line_stay_two_columns() -> None:
    # a narrow 其他 column beside 总计: "1019" and "5405" fill their cells and their boxes
    # nearly touch; only the vertical line between them (on the scan) says two cells
    import numpy as np

    words = [_w("甲", 300, 50, 10), _w("其他", 340, 50, 20), _w("总计", 380, 50, 20)]
    words += [_w("第一行", 60, 70, 60), _w("5", 300, 70), _w("1019", 332, 70, 40)]
    words += [_w("5405", 373, 70, 40)]  # 1 px from "1019": within a box's jitter
    words += [_w("第二行", 60, 90, 60), _w("0", 300, 90), _w("90", 340, 90, 20)]
    words += [_w("251", 384, 90, 30)]
    ink = np.full((800, 600), 255, dtype=np.uint8)
    page = _page(words, source="ocr")
    page.ink = ink
    text, _ = build([page])
    assert _rows(text)[0][-1] == "10195405"  # no line on the page: one box, one value
    ink[60:110, 372:373] = 0  # the ruling line between the two cells, down the rows
    text, _ = build([page])
    assert _rows(text) == [["第一行", "5", "1019", "5405"], ["第二行", "0", "90", "251"]]


def test_headers_beside_numbers_aligned_right_name_their_columns() -> None:
    # numbers aligned to the right of their cells: each header stands left of its values,
    # over none of them; the headers are the value columns' names, not blank columns
    words = [_w("信息内容", 60, 50, 40), _w("上一年项目数量", 130, 50, 70)]
    words += [_w("本年增/减", 250, 50, 45), _w("处理决定数量", 350, 50, 60)]
    words += [_w("行政许可", 60, 70, 40), _w("0", 215, 70), _w("3", 310, 70), _w("5", 430, 70)]
    words += [_w("行政处罚", 60, 90, 40), _w("12", 209, 90, 18), _w("-2", 304, 90, 18)]
    words += [_w("7", 430, 90)]
    text, _ = build([_page(words)])
    assert _rows(text) == [["行政许可", "0", "3", "5"], ["行政处罚", "12", "-2", "7"]]
    # a column blank in every row leaves two headers beside one value column: no pairing,
    # each header stays a column (more items than cells: the parser flags the row)
    words = [w for w in words if w.text not in ("3", "-2")]
    text, _ = build([_page(words)])
    assert [len(row) for row in _rows(text)] == [5, 5]


# ---- a minus sign the recogniser dropped ------------------------------------------------
def _glyphs(strokes: list[tuple[int, int, int, int]]) -> tuple[object, tuple[float, ...]]:
    """A white page with pen strokes (x0, y0, x1, y1) drawn 2 px wide inside a word box
    at (100, 100)-(140, 120): a digit 14 px tall from y 103 to 117."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (300, 200), 255)
    pen = ImageDraw.Draw(page)
    for stroke in strokes:
        pen.line(stroke, fill=0, width=2)
    return page, (100.0, 100.0, 140.0, 120.0)


FOUR = [(120, 103, 110, 113), (110, 113, 124, 113), (121, 103, 121, 117)]  # "4"
MINUS = [(103, 110, 108, 110)]  # a short bar at mid-height, left of the digit
ONE = [(112, 106, 116, 103), (116, 103, 116, 117)]  # "1": a flag at the top, a stem
SEVEN = [(108, 103, 120, 103), (120, 103, 112, 117)]  # "7": a bar at the top
TWO = [(108, 106, 112, 103), (112, 103, 118, 106), (118, 106, 108, 117), (108, 117, 120, 117)]


@pytest.mark.parametrize(
    ("strokes", "expected"),
    [(MINUS + FOUR, True), (FOUR, False), (ONE, False), (SEVEN, False), (TWO, False)],
)
def test_a_minus_left_of_the_digits_is_seen_in_the_ink(
    strokes: list[tuple[int, int, int, int]], expected: bool
) -> None:
    from extractor.geometry.ink import dash_before

    page, box = _glyphs(strokes)
    assert dash_before(page, box) is expected


def test_a_signed_value_read_without_its_minus_is_flagged() -> None:
    # 本年增/减 holds "-4" read "4": the mark beside it sends the cell to a person; the same
    # mark beside a count (never negative) is no one's business
    base, _ = _ocr_doc(0.99, broken=False)
    text = "二、主动公开政府信息情况\n行政许可\t3\t4\t5\n" + base.text
    start = text.index("\t4") + 1
    anchors = (Anchor(start, start + 1, 0, (0.5, 0.2, 0.52, 0.21), 0.99, dash=True),)
    doc = SourceDocument("scan.png", text, "image", geometry=Geometry(anchors, source="ocr"))
    extraction = ParserExtractor().extract(doc)
    assert extraction.report.meta.template == "2019"
    assert extraction.report.cells["t2.license.change"] == 4
    assert "t2.license.change" in verdict(extraction, doc.text).flags
    assert any("minus" in n for n in extraction.provenance["t2.license.change"].notes)
    start = text.index("\t3") + 1
    count = (Anchor(start, start + 1, 0, (0.45, 0.2, 0.47, 0.21), 0.99, dash=True),)
    doc = SourceDocument("scan.png", text, "image", geometry=Geometry(count, source="ocr"))
    extraction = ParserExtractor().extract(doc)
    assert not any("minus" in n for n in extraction.provenance["t2.license.prev_items"].notes)


@pytest.mark.parametrize("word", ["\u22123", "\u20133", "\u20143"])
def test_a_typeset_minus_sign_is_read_as_one(word: str) -> None:
    reading = read_value(word, ocr=False)
    assert reading is not None and (reading.text, reading.blank) == ("-3", False)


def test_a_blank_dash_ocr_read_as_yi_is_a_blank_the_identities_must_confirm() -> None:
    # a scan's "—" in an empty cell comes back from OCR as the character 一: a blank mark,
    # kept as printed so the text parser folds it and proves it only by identities that hold
    reading = read_value("一", True)
    assert reading is not None and reading.blank and reading.text == "一"
    assert read_value("一", False) is None  # a text layer's 一 is a character
    words = [_w("甲", 300, 50, 10), _w("乙", 340, 50, 10), _w("丙", 380, 50, 10)]
    words += [_w("第一行", 60, 70, 60), _w("5", 300, 70), _w("6", 340, 70), _w("7", 380, 70)]
    words += [_w("第二行", 60, 90, 60), _w("8", 300, 90), _w("一", 340, 90), _w("9", 380, 90)]
    text, geometry = build([_page(words, source="ocr")])
    assert _rows(text)[1] == ["第二行", "8", "一", "9"]
    blank = [a for a in geometry.anchors if a.blank]
    assert len(blank) == 1 and text[blank[0].start : blank[0].end] == "一"
