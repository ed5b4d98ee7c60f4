"""Damage classes the parser was not built on (issue 13), applied with their own random stream.

They run after `damage.CATALOGUE`, drawing from a stream of their own, so every report an
older generator made stays the same text unless one of these strikes it. Each returns where
it struck; the gold changes only for `missing_value` (its gold, as `dropped_cells`', is what
the printed row and the identities pin down, else null).
"""

from __future__ import annotations

import random
import re

from eval.synth.damage import Damage, _data_rows, _valued
from eval.synth.document import Cell, Document, Row
from nianbao.core.models import CanonicalReport

# OCR look-alikes of digits inside a number ("1O", "l2", "S0", "B")
OCR_DIGITS = {"0": "O", "1": "l", "5": "S", "8": "B"}


def missing_value(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """One value gone from a row, no placeholder and no separator left ("0 0 0 1 1 9" for
    seven columns), in any column of a row whose values differ (so where it went matters)."""
    cells = gold.cells
    rows = [
        r
        for r in _data_rows(doc)
        if len(r.cells) >= 3
        and all(c.key for c in r.cells)
        and len({c.text for c in r.cells}) > 1
        and all(cells.get(c.key) is not None for c in r.cells)  # type: ignore[arg-type]
    ]
    out = []
    for row in rng.sample(rows, k=min(len(rows), rng.randint(1, 2))):
        cell = rng.choice(row.cells)
        row.cells.remove(cell)
        doc.lost[cell.key] = cells[cell.key]  # type: ignore[index]
        cells[cell.key] = None  # type: ignore[index]
        out.append(cell.key or "")
    return out


def broken_number(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """A number broken across a line inside its table row ("12\\n3" for 123)."""
    long = [(r, c) for r, c in _valued(doc, gold.cells) if re.fullmatch(r"\d{2,}", c.text)]
    out = []
    for _, cell in rng.sample(long, k=min(len(long), rng.randint(1, 3))):
        at = rng.randrange(1, len(cell.text))
        cell.text = f"{cell.text[:at]}\n{cell.text[at:]}"
        out.append(cell.key or "")
    return out


def ocr_digits(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Digits OCR read as letters inside numbers ("1O", "l2", "S0", "B")."""
    hit = [
        (r, c)
        for r, c in _valued(doc, gold.cells)
        if re.fullmatch(r"\d+", c.text) and any(d in c.text for d in OCR_DIGITS)
    ]
    out = []
    for _, cell in rng.sample(hit, k=min(len(hit), rng.randint(1, 4))):
        at = [i for i, ch in enumerate(cell.text) if ch in OCR_DIGITS]
        i = rng.choice(at)
        cell.text = cell.text[:i] + OCR_DIGITS[cell.text[i]] + cell.text[i + 1 :]
        out.append(cell.key or "")
    return out


def lost_label(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """A part-三 row whose label was lost while its values remain."""
    rows = [r for r in _data_rows(doc, "t3") if r.labels and r.cells]
    if not rows:
        return []
    row = rng.choice(rows[1:-1] or rows)
    row.labels = []
    row.label_roles = []
    return [row.name]


def interleaved(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Part 三's column headers printed in among the first value rows, one item per line,
    as text extraction without layout gives: label, header, value, header, value, …"""
    table = next((t for t in doc.tables() if t.part == "t3"), None)
    if table is None:
        return []
    headers = [c.text for r in table.rows if r.kind == "header" for c in r.cells if c.text]
    data = [r for r in table.rows if r.kind == "data" and r.labels]
    if not headers or not data:
        return []
    table.rows = [r for r in table.rows if r.kind != "header"]
    row = data[0]
    mixed: list[Cell] = []
    names = iter(headers)
    for cell in row.cells:
        name = next(names, None)
        if name is not None:
            mixed.append(Cell(name))  # no key: header text, not a value
        mixed.append(cell)
    row.cells = mixed
    row.kind = "data"
    return [f"{row.name}: {len(headers)} header items"]


def centred_labels(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Long labels a PDF cell wrapped and centred: text extraction prints a piece of the
    label, then the next piece with the row's values, then the rest ("一、本年新\n收政府信息
    10 0 1 0 0 0 11\n公开申请数量")."""
    rows = [r for r in _data_rows(doc) if r.cells and len("".join(r.labels)) >= 8]
    out = []
    for row in rng.sample(rows, k=min(len(rows), rng.randint(1, 6))):
        row.centred = True
        out.append(row.name)
    return out


def typeset_minus(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Negative values printed with a typesetter's or word processor's minus sign: U+2212,
    an en dash, a small hyphen-minus ("−3", "–3", "﹣3")."""
    negative = [(r, c) for r, c in _valued(doc, gold.cells) if c.text.startswith("-")]
    out = []
    for _, cell in negative:
        cell.text = rng.choice("\u2212\u2013\ufe63") + cell.text[1:]
        out.append(cell.key or "")
    return out


_SPACED = re.compile(r"([\u4e00-\u9fff])(?=[\u4e00-\u9fff])")


def spaced_labels(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Labels of a PDF table whose cells are set in distributed alignment: text extraction
    puts a space between every two characters ("申 请 人 无 正 当 理 由", "（四） 无 法 提 供")."""
    rows = [r for r in _data_rows(doc) if r.labels]
    out = []
    for row in rng.sample(rows, k=rng.randint(len(rows) // 3, len(rows))):
        row.labels = [_SPACED.sub(r"\1 ", label) for label in row.labels]
        out.append(row.name)
    return out


def sign_words(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """A year's change (本年增/减) printed with its sign as a word or in accounting style:
    "减3", "减少3", "(3)", "（3）" for -3; "增5", "增加5", "+5" for 5."""
    changes = [
        (r, c)
        for r, c in _valued(doc, gold.cells)
        if (c.key or "").endswith(".change") and gold.cells.get(c.key or "") not in (0, None)
    ]
    out = []
    for _, cell in rng.sample(changes, k=rng.randint(1, len(changes)) if changes else 0):
        value = gold.cells[cell.key or ""]
        magnitude = str(abs(value))
        if value < 0:
            form = rng.choice(("减{}", "减少{}", "({})", "（{}）"))
        else:
            form = rng.choice(("增{}", "增加{}", "+{}"))
        cell.text = form.format(magnitude)
        out.append(cell.key or "")
    return out


# Characters a PDF font maps to Kangxi radicals (U+2F00 block) or to a supplement radical:
# text extraction gives "⾏政许可", "⼀、本年新收", "⼈"; the text looks right, and reads wrong
_FONT_RADICALS = str.maketrans(
    "一二人入八十大子小工己方日月木比水火生用白目示立行见言走车长门页风食",
    "\u2f00\u2f06\u2f08\u2f0a\u2f0b\u2f17\u2f24\u2f26\u2f29\u2f2f\u2f30\u2f45"
    "\u2f47\u2f49\u2f4a\u2f50\u2f54\u2f55\u2f63\u2f64\u2f69\u2f6c\u2f70"
    "\u2f74\u2f8f\u2ec5\u2f94\u2f9b\u2ecb\u2ed3\u2ed4\u2eda\u2edb\u2fb7",
)


def font_radicals(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """A PDF whose font maps common characters to Kangxi radicals: every label's and
    header's such characters come out as radicals ("⾏政许可", "⼀、本年新收")."""
    out = []
    for table in doc.tables():
        for row in table.rows:
            labels = [label.translate(_FONT_RADICALS) for label in row.labels]
            if labels != row.labels:
                row.labels = labels
                out.append(row.name)
    return out


def label_column_first(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Part 三 as text extraction gives a PDF table whose label column it read first: every
    row's labels, then every row's values one per line, row by row, or column by column
    when it read each column of values in turn."""
    table = next((t for t in doc.tables() if t.part == "t3"), None)
    if table is None:
        return []
    data = [n for n, r in enumerate(table.rows) if r.kind == "data"]
    if len(data) < 10:
        return []
    block = table.rows[data[0] : data[-1] + 1]
    rows = [r for r in block if r.cells]
    width = len(rows[0].cells)
    if any(
        r.kind != "data" or not r.labels or r.centred or len(r.cells) not in (0, width)
        for r in block
    ):
        return []  # another damage already moved labels or values: leave the table be
    labels = [
        Row(list(r.labels), kind="label", name=r.name, label_roles=list(r.label_roles))
        for r in block
    ]
    by_column = rng.random() < 0.5
    order = (
        [(r, c) for c in range(width) for r in rows]
        if by_column
        else [(r, c) for r in rows for c in range(width)]
    )
    values = [Row([], [r.cells[c]], name=r.name) for r, c in order]
    table.rows[data[0] : data[-1] + 1] = labels + values
    way = "column" if by_column else "row"
    return [f"{len(rows)} rows, {way} by {way}"]


UNSEEN: tuple[Damage, ...] = (
    Damage("missing_value", 0.12, missing_value, True, "a value gone with no placeholder"),
    Damage("broken_number", 0.1, broken_number, False, 'a number broken over a line "12\\n3"'),
    Damage("ocr_digits", 0.1, ocr_digits, False, 'OCR digit look-alikes "1O", "l2", "S0"'),
    Damage("lost_label", 0.08, lost_label, False, "a part-三 row printed without its label"),
    Damage("interleaved", 0.3, interleaved, False, "headers in among values, one per line"),
    # drawn last, from the same stream: reports it does not strike keep their text
    Damage("centred_labels", 0.5, centred_labels, False, "a label wrapped around its values"),
    Damage("typeset_minus", 0.3, typeset_minus, False, 'a minus sign printed "−3", "–3"'),
    Damage("spaced_labels", 0.2, spaced_labels, False, 'labels letter-spaced "规 范 性 文 件"'),
    Damage("sign_words", 0.3, sign_words, False, 'a change\'s sign as a word "减3", "(3)", "增5"'),
    Damage("font_radicals", 0.2, font_radicals, False, 'a PDF font\'s radicals "⾏政许可"'),
    Damage(
        "label_column_first",
        0.3,
        label_column_first,
        False,
        "part 三's labels, then its values one per line (by row or by column)",
    ),
)
UNSEEN_TYPES: tuple[str, ...] = tuple(d.name for d in UNSEEN)
# Renderings that cannot show a damage (values glued, or one item per line already).
# `interleaved` is what a one-item-per-line text gives: only `cell_lines` prints it so.
# `centred_labels` and `font_radicals` are a PDF text extract's: only `pdf_text` prints them.
# `label_column_first` is a PDF text extract's, one item per line: only `pdf_text` and
# `cell_lines` print it.
_LABEL_COLUMN_FIRST = frozenset({"label_column_first"})
UNSEEN_NOT_WITH: dict[str, frozenset[str]] = {
    "html_table": frozenset(
        {"interleaved", "broken_number", "centred_labels", "spaced_labels", "font_radicals"}
    )
    | _LABEL_COLUMN_FIRST,
    "markdown_html": frozenset(
        {"interleaved", "broken_number", "centred_labels", "spaced_labels", "font_radicals"}
    )
    | _LABEL_COLUMN_FIRST,
    "flat_html": frozenset(
        {
            "broken_number",
            "lost_label",
            "interleaved",
            "missing_value",
            "centred_labels",
            "spaced_labels",
            "font_radicals",
        }
    )
    | _LABEL_COLUMN_FIRST,
    # "12\n3": two values
    "cell_lines": frozenset({"broken_number", "centred_labels", "font_radicals"}),
    "ocr_markdown": frozenset({"interleaved", "lost_label", "centred_labels", "font_radicals"})
    | _LABEL_COLUMN_FIRST,
    "tab_rows": frozenset({"interleaved", "centred_labels", "font_radicals"}) | _LABEL_COLUMN_FIRST,
    "markdown": frozenset({"interleaved", "centred_labels", "font_radicals"}) | _LABEL_COLUMN_FIRST,
    "pdf_text": frozenset({"interleaved"}),
}


def unseen_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"nianbao-synth-unseen:{seed}:{index}")
