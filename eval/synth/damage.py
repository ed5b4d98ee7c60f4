"""The damage catalogue: what real reports suffer, applied to a document at set rates.

Each damage edits the document (and, where the printed numbers change, the gold cells) and
returns a short description of each place it touched; an empty list means it did not apply
to this report (e.g. no value reaches 1,000 for thousands separators). The order of
`CATALOGUE` is the order of application: cells are dropped or blanked before their text is
decorated, labels are garbled last.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from eval.synth.document import Cell, Document, Heading, Row, format_value
from nianbao.core.layout import ValueKind
from nianbao.core.models import CanonicalReport, CellValue
from rules.engine import check

Cells = dict[str, CellValue]
DamageFn = Callable[[Document, random.Random, CanonicalReport], list[str]]

# Characters OCR confuses in these labels (seen: 丁么幵 for 不予公开, 沐 for 沭).
OCR_SWAPS = {
    "不": "丁",
    "予": "子",
    "公": "么",
    "开": "幵",
    "申": "中",
    "请": "清",
    "数": "教",
    "量": "重",
    "商": "高",
    "业": "亚",
    "科": "料",
    "机": "杋",
    "构": "钩",
    "复": "夏",
    "议": "仪",
    "诉": "沂",
    "讼": "松",
    "结": "给",
    "转": "专",
    "处": "外",
    "理": "埋",
    "制": "刬",
    "规": "观",
    "法": "去",
    "律": "津",
    "政": "攻",
    "信": "倍",
    "息": "恳",
    "年": "午",
    "其": "甚",
    "他": "地",
    "自": "白",
    "人": "入",
    "已": "己",
    "计": "汁",
}
FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
BLANKS = ("", "—", "/", "-", "无")  # "" first: renderings that lose empty cells skip it
FOOTERS = ("— {n} —", "- {n} -", "{n}", "第{n}页", "第 {n} 页 共 {m} 页")
_NUMERALS = "一二三四五六七八九"


@dataclass(frozen=True)
class Damage:
    name: str
    rate: float  # share of reports it is tried on
    apply: DamageFn
    changes_gold: bool  # the printed numbers (and so the gold) change
    doc: str


def _data_rows(doc: Document, part: str | None = None) -> list[Row]:
    return [
        r
        for t in doc.tables()
        if part is None or t.part == part
        for r in t.rows
        if r.kind == "data"
    ]


def _valued(doc: Document, cells: Cells) -> list[tuple[Row, Cell]]:
    """Value cells whose gold value is printed (not null)."""
    return [
        (row, c)
        for row in _data_rows(doc)
        for c in row.cells
        if c.key is not None and cells.get(c.key) is not None
    ]


# ---- cells and rows lost or changed (the gold changes) ----------------------------------------
def omitted_row(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """A row the report omits: every cell of it is null."""
    cells = gold.cells
    rows = [r for r in _data_rows(doc) if r.name.startswith(("t2.", "t3."))]
    row = rng.choice(rows)
    for table in doc.tables():
        if row in table.rows:
            table.rows.remove(row)
    for c in row.cells:
        if c.key:
            cells[c.key] = None
    return [row.name]


def dropped_cells(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Values lost from a row (seed-002: rows with 3-5 of 7 values).

    The gold is null for now; `eval.synth.recover` puts back the values the identities pin
    down once all damage is done (the eval set's gold policy)."""
    cells = gold.cells
    out = []
    for row, c in rng.sample(_valued(doc, cells), k=rng.randint(1, 3)):
        if c in row.cells:
            row.cells.remove(c)
            doc.lost[c.key] = cells[c.key]  # type: ignore[index]
            cells[c.key] = None  # type: ignore[index]
            out.append(c.key or "")
    return out


def blank_cells(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Cells printed empty, "—", "/" or "无": null in the gold."""
    cells = gold.cells
    out = []
    for _, c in rng.sample(_valued(doc, cells), k=rng.randint(1, 4)):
        c.text = rng.choice(BLANKS if doc.keeps_empty_cells else BLANKS[1:])
        cells[c.key] = None  # type: ignore[index]
        out.append(c.key or "")
    return out


def own_arithmetic_error(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """The report's own print breaks an identity (seed-003 prints total 0 beside 8 and 1)."""
    cells = gold.cells
    candidates = [(r, c) for r, c in _valued(doc, cells) if not (c.key or "").startswith("t2.")]
    for _ in range(20):
        _, c = rng.choice(candidates)
        key = c.key or ""
        old = cells[key]
        assert isinstance(old, int)
        if key.endswith(".total") and old > 0 and rng.random() < 0.3:
            new = 0
        else:
            delta = rng.randint(1, 9)
            new = old - delta if old >= delta and rng.random() < 0.5 else old + delta
        cells[key] = new
        if check(gold, localise_errors=False).errors:
            c.text = format_value(new)
            return [f"{key}: {old} printed as {new}"]
        cells[key] = old
    return []


# ---- printed forms of a value (the gold stays) ------------------------------------------------
def _decorate(
    doc: Document, rng: random.Random, cells: Cells, share: float, fn: Callable[[Cell], bool]
) -> list[str]:
    out = []
    for _, c in _valued(doc, cells):
        if rng.random() < share and fn(c):
            out.append(c.key or "")
    return out


def thousands_separators(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Thousands separators: "1,288" for 1288 (and "24,252.31" for amounts)."""
    cells = gold.cells

    def sep(c: Cell) -> bool:
        value = cells[c.key or ""]
        if value is None or abs(value) < 1000 or not re.fullmatch(r"-?\d+(\.\d+)?", c.text):
            return False
        whole, _, frac = c.text.partition(".")
        c.text = f"{int(whole):,}" + (f".{frac}" if frac else "")
        return True

    return _decorate(doc, rng, cells, 0.9, sep)


def units_in_cells(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Units in cells: "5件", amounts in 元 ("3739265元" for 373.9265 万元) or "万元"."""
    cells = gold.cells

    def is_amount(c: Cell) -> bool:
        return c.key is not None and gold.layout.spec(c.key).kind is ValueKind.AMOUNT

    def unit(c: Cell) -> bool:
        key = c.key or ""
        if not re.fullmatch(r"-?[\d,]+(\.\d+)?", c.text):
            return False
        if is_amount(c):
            value = cells[key]
            yuan = value * 10000
            if yuan == int(yuan) and rng.random() < 0.6:
                c.text = f"{int(yuan)}元"
            else:
                c.text += "万元"
            return True
        c.text += rng.choice(("件", "个", "条"))
        return True

    out = [c.key or "" for _, c in _valued(doc, cells) if is_amount(c) and unit(c)]
    return out + _decorate(doc, rng, cells, 0.08, lambda c: not is_amount(c) and unit(c))


def fullwidth_digits(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Full-width digits ("１２") from a Chinese input method."""
    cells = gold.cells

    def wide(c: Cell) -> bool:
        c.text = c.text.translate(FULLWIDTH)
        return True

    return _decorate(doc, rng, cells, 0.4, wide)


def odd_whitespace(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Cells padded with full-width and plain spaces ("　　0", "0 ")."""
    cells = gold.cells

    def pad(c: Cell) -> bool:
        c.text = rng.choice(("　", "　　", " ", "\u3000 ")) + c.text + rng.choice(("", " ", "　"))
        return True

    return _decorate(doc, rng, cells, 0.5, pad)


def _lost_rows(doc: Document) -> set[str]:
    """Names of the rows that lost a printed value (part 四 prints as one row, "t4")."""
    return {k.rsplit(".", 1)[0] for k in doc.lost} | {k[:2] for k in doc.lost if k[:3] == "t4."}


def duplicated_values(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """A value printed twice ("8\\n8"; seed-001's part 四 has 16 values for 15 cells)."""
    cells = gold.cells
    out = []
    # never in a row that lost a cell: a lost value plus a doubled one prints a clean row,
    # and no reader could tell it from the truth (the gold would be unknowable)
    lost_rows = _lost_rows(doc)
    intact = [
        (row, c)
        for row, c in _valued(doc, cells)
        if row.name not in lost_rows and all(x.text or not x.key for x in row.cells)
    ]
    for row, c in rng.sample(intact, k=min(len(intact), rng.randint(1, 2))):
        at = row.cells.index(c) + 1
        row.cells.insert(at, Cell(c.text, doubled=True))
        if _another_doubling_holds(row, at, gold):
            # nor where the print reads better another way: "4 0 0 0 0 0 4 4" (a 0 doubled,
            # other_org misprinted 4) reads as a clean row with its total doubled, every
            # identity holding, and no reader could tell the two apart (synth-9173-0046).
            # Undone after the draw, so later draws stay the same
            del row.cells[at]
            continue
        out.append(c.key or "")
    return out


def _another_doubling_holds(row: Row, at: int, gold: CanonicalReport) -> bool:
    """In a report whose print breaks an identity, the row with its value at `at` printed
    twice also reads as another value printed twice, and that reading keeps every identity:
    a reader takes it, and the gold (the print's own error) is beyond any reader."""
    cells = gold.cells
    if not check(gold, localise_errors=False).errors:
        return False
    keys = [c.key for c in row.cells if c.key is not None and not c.doubled]
    values = _row_values(row, cells)
    truth = values[:at] + values[at + 1 :]
    saved = {k: cells[k] for k in keys}
    try:
        for i in range(1, len(values)):
            reading = values[:i] + values[i + 1 :]
            if values[i] != values[i - 1] or reading == truth or len(reading) != len(keys):
                continue  # not a doubling, or the one printed (the same reading)
            cells.update(zip(keys, reading, strict=True))
            if not check(gold, localise_errors=False).errors:
                return True
    finally:
        cells.update(saved)
    return False


def glued_digits(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Neighbouring values run together with no separator ("640020470")."""
    out = []
    rows = [r for r in _data_rows(doc) if len(r.cells) >= 3]
    for row in rng.sample(rows, k=min(len(rows), rng.randint(1, 3))):
        start = rng.randrange(len(row.cells) - 1)
        width = min(rng.randint(2, 4), len(row.cells) - start)
        if _glue_reads_cleanly(row, start, width, gold):
            # a row printing a value twice, glued back to as many values as cells: "1 0 0"
            # glued to "10 0" reads as 10|0 with nothing amiss, and no reader could tell it
            # from the truth 1|0 (synth-9160-0103). Skipped after the draws, so later ones
            # stay the same
            continue
        merged = row.cells[start : start + width]
        glued = Cell("".join(c.text.strip() for c in merged), merged[0].key)
        row.cells[start : start + width] = [glued]
        out.append("+".join(c.key or "?" for c in merged))
    return out


def _glue_reads_cleanly(row: Row, start: int, width: int, gold: CanonicalReport) -> bool:
    """Gluing `width` cells from `start` leaves a row that printed a value twice with one
    value per cell, each a value its cell can hold ("8920 8920 -750" cannot: -750 is no
    count, synth-7804-0204): the print then shows no trace of either damage."""
    if not any(c.doubled for c in row.cells):
        return False
    keys = [c.key for c in row.cells if c.key is not None and not c.doubled]
    if len(row.cells) - width + 1 != len(keys):
        return False
    kinds = {spec.key: spec.kind for spec in gold.layout.cells}
    values = [format_value(v) for v in _row_values(row, gold.cells)]
    printed = [*values[:start], "".join(values[start : start + width]), *values[start + width :]]
    return all(_holds(text, kinds[key]) for text, key in zip(printed, keys, strict=True))


def _row_values(row: Row, cells: Cells) -> list[CellValue]:
    """The value each printed cell of `row` holds (a copy prints the value before it)."""
    values: list[CellValue] = []
    for c in row.cells:
        values.append(values[-1] if c.doubled else cells[c.key] if c.key else None)
    return values


def _holds(text: str, kind: ValueKind) -> bool:
    """`text` reads as a value of `kind` (a count: digits, no leading 0 but a lone 0)."""
    pattern = {
        ValueKind.COUNT: r"0|[1-9]\d*",
        ValueKind.SIGNED: r"-?(0|[1-9]\d*)",
        ValueKind.AMOUNT: r"(0|[1-9]\d*)(\.\d+)?",
    }[kind]
    return re.fullmatch(pattern, text) is not None


def detached_labels(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Row labels printed away from their values (corpus-009/010, PDF to markdown): a block of
    part-三 rows prints its labels first, then its value rows without labels."""
    table = next(t for t in doc.tables() if t.part == "t3")
    data = [i for i, r in enumerate(table.rows) if r.kind == "data"]
    if len(data) < 4:
        return []
    size = rng.randint(3, min(6, len(data)))
    start = rng.randrange(len(data) - size + 1)
    lo, hi = data[start], data[start + size - 1] + 1
    block = table.rows[lo:hi]
    labels = [
        Row(list(r.labels), kind="label", name=r.name, label_roles=list(r.label_roles))
        for r in block
        if r.kind == "data"
    ]
    values = [Row([], r.cells, name=r.name) if r.kind == "data" else r for r in block]
    table.rows[lo:hi] = labels + values
    return [r.name for r in labels]


# ---- labels, headings, layout noise (the gold stays) ------------------------------------------
def _labels(doc: Document) -> list[tuple[list[str], int]]:
    """Every label string, as (list holding it, index), so it can be replaced in place."""
    out: list[tuple[list[str], int]] = []
    for table in doc.tables():
        for row in table.rows:
            out += [(row.labels, i) for i in range(len(row.labels))]
            if row.kind == "header":
                out += [(row.cells, i) for i in range(len(row.cells))]  # type: ignore[misc]
    return out


def _get(holder: list, i: int) -> str:
    item = holder[i]
    return item.text if isinstance(item, Cell) else item


def _set(holder: list, i: int, text: str) -> None:
    if isinstance(holder[i], Cell):
        holder[i].text = text
    else:
        holder[i] = text


def split_labels(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """A label broken over lines ("本年新\\n制作数量", "三、本年 度办理 结果")."""
    labels = [(h, i) for h, i in _labels(doc) if len(_get(h, i)) >= 4]
    out = []
    for holder, i in rng.sample(labels, k=min(len(labels), rng.randint(2, 6))):
        text = _get(holder, i)
        cut = rng.randrange(2, len(text) - 1)
        _set(holder, i, text[:cut] + "\n" + text[cut:])
        out.append(text)
    return out


def ocr_labels(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """OCR reads a character of a label as a look-alike ("丁予公开" for "不予公开")."""
    out = []
    labels = _labels(doc)
    for holder, i in rng.sample(labels, k=min(len(labels), rng.randint(1, 4))):
        text = _get(holder, i)
        spots = [n for n, ch in enumerate(text) if ch in OCR_SWAPS]
        if not spots:
            continue
        n = rng.choice(spots)
        _set(holder, i, text[:n] + OCR_SWAPS[text[n]] + text[n + 1 :])
        out.append(f"{text} -> {_get(holder, i)}")
    return out


def renumbered_headings(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """Numbered headings turned into "3、" or "—、", group numbers into the wrong "(二)"."""
    out = []
    for block in doc.blocks:
        if isinstance(block, Heading) and rng.random() < 0.5:
            n = _NUMERALS.index(block.numeral[0]) + 1
            old = block.numeral
            block.numeral = (
                "—、" if n == 1 and rng.random() < 0.5 else rng.choice((f"{n}、", f"{n}."))
            )
            out.append(f"{old}{block.text} -> {block.numeral}")
    for holder, i in _labels(doc):
        text = _get(holder, i)
        match = re.match(r"（([一二三四五六七])）", text)
        if match and rng.random() < 0.3:
            k = _NUMERALS.index(match.group(1))
            wrong = _NUMERALS[max(0, k - 1)] if rng.random() < 0.5 else match.group(1)
            _set(holder, i, f"({wrong})" + text[match.end() :])
            out.append(f"{text} -> {_get(holder, i)}")
    return out


def page_footer_in_table(doc: Document, rng: random.Random, gold: CanonicalReport) -> list[str]:
    """A page footer or page number inside a table ("— 5 —" between two rows)."""
    out = []
    tables = [t for t in doc.tables() if len(t.rows) > 2]
    for _ in range(rng.randint(1, 2)):
        table = rng.choice(tables)
        at = rng.randrange(1, len(table.rows))
        page = rng.randint(2, 9)
        text = rng.choice(FOOTERS).format(n=page, m=page + rng.randint(1, 4))
        before = table.rows[at - 1]
        if text.isdigit() and before.name in _lost_rows(doc):
            # a bare page number right after a row that lost a value stands where the value
            # stood: "行政强制" then "9" reads as its value, and no reader could tell
            # (synth-9372-0016). Skipped after the draws, so later ones stay the same
            continue
        table.rows.insert(at, Row([text], kind="footer"))
        out.append(f"{table.part}: {text}")
    return out


CATALOGUE: tuple[Damage, ...] = (
    Damage("omitted_row", 0.08, omitted_row, True, "a table row is missing: its cells are null"),
    Damage("dropped_cells", 0.12, dropped_cells, True, "values missing from a row: null"),
    Damage("blank_cells", 0.15, blank_cells, True, 'cells printed "", "—", "/", "无": null'),
    Damage(
        "own_arithmetic_error", 0.15, own_arithmetic_error, True, "the print breaks an identity"
    ),
    Damage("thousands_separators", 0.35, thousands_separators, False, '"1,288" for 1288'),
    Damage("units_in_cells", 0.2, units_in_cells, False, '"5件", "3739265元" (= 373.9265 万元)'),
    Damage("fullwidth_digits", 0.15, fullwidth_digits, False, 'full-width digits "１２"'),
    Damage("odd_whitespace", 0.25, odd_whitespace, False, 'cells padded "　　0"'),
    Damage("duplicated_values", 0.1, duplicated_values, False, 'a value printed twice "8\\n8"'),
    Damage("glued_digits", 0.15, glued_digits, False, 'neighbouring values glued "640020470"'),
    Damage("detached_labels", 0.1, detached_labels, False, "labels away from their value rows"),
    Damage(
        "split_labels", 0.3, split_labels, False, 'labels broken over lines "本年新\\n制作数量"'
    ),
    Damage("ocr_labels", 0.2, ocr_labels, False, 'OCR look-alikes in labels "丁予公开"'),
    Damage("renumbered_headings", 0.2, renumbered_headings, False, 'headings "3、", "—、", "(二)"'),
    Damage(
        "page_footer_in_table", 0.15, page_footer_in_table, False, 'page footers in tables "— 5 —"'
    ),
)
DAMAGE_TYPES: tuple[str, ...] = tuple(d.name for d in CATALOGUE)
