"""A report as the printed page shows it: HTML with ruled tables, merged label cells and
headers, printed to PDF by headless Chromium, rendered to page images, and degraded like a
scan (150 dpi, skew, noise, blur, JPEG). Tests and benchmarks make their own PDFs and scans
from a gold this way, so every cell can be scored.
"""

from __future__ import annotations

import html
import io
import random
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from nianbao.core.layout import RowRole, Template, layout_for
from nianbao.core.models import CanonicalReport, CellValue

RESULTS = "三、本年度办理结果"
_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; font-size: 11pt; }
h1 { font-size: 16pt; text-align: center; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; page-break-inside: auto; }
tr { page-break-inside: avoid; }
td, th { border: 1px solid #000; padding: 3pt 2pt; text-align: center; font-size: 9.5pt;
         font-weight: normal; }
td.l { text-align: left; }
td.v { writing-mode: vertical-rl; letter-spacing: 2pt; }
"""


def _value(value: CellValue) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _cells(report: CanonicalReport, keys: list[str]) -> str:
    return "".join(f"<td>{_value(report.cells[k])}</td>" for k in keys)


def _t2(report: CanonicalReport) -> str:
    layout = report.layout
    out, header = [], None
    for row in layout.t2_rows:
        labels = tuple(c.label for c in row.columns)
        if labels != header:
            if header is not None:
                out.append("</table>")
            out.append("<table><tr><th>信息内容</th>")
            out += [f"<th>{html.escape(label)}</th>" for label in labels]
            out.append("</tr>")
            header = labels
        keys = [f"t2.{row.name}.{c.name}" for c in row.columns]
        out.append(f"<tr><td class=l>{row.label}</td>{_cells(report, keys)}</tr>")
    out.append("</table>")
    return "".join(out)


def _t3(report: CanonicalReport) -> str:
    layout = report.layout
    cols = layout.t3_columns
    parts = [c.label for c in cols if c.name != "total"]
    out = [
        "<table><tr><td colspan=3 rowspan=3>（本列数据的勾稽关系为：第一项加第二项之和，"
        "等于第三项加第四项之和）</td><td colspan=7>申请人情况</td></tr>",
        f"<tr><td rowspan=2>{parts[0]}</td><td colspan=5>法人或其他组织</td>"
        "<td rowspan=2>总计</td></tr>",
        "<tr>" + "".join(f"<td>{p}</td>" for p in parts[1:]) + "</tr>",
    ]
    rows = layout.t3_rows
    results = [r for r in rows if r.role in (RowRole.RESULT, RowRole.RESULTS_TOTAL)]
    group_sizes: dict[str, int] = {}
    for r in rows:  # the 2019 layout names the results label as its rows' group: not one
        if r.group_label and r.role is RowRole.RESULT and r.group_label != RESULTS:
            group_sizes[r.group_label] = group_sizes.get(r.group_label, 0) + 1
    seen: set[str] = set()
    for r in rows:
        keys = [f"t3.{r.name}.{c.name}" for c in cols]
        cells = _cells(report, keys)
        if r.role not in (RowRole.RESULT, RowRole.RESULTS_TOTAL):
            out.append(f"<tr><td class=l colspan=3>{r.label}</td>{cells}</tr>")
            continue
        head = ""
        if r is results[0]:
            head += f"<td class=v rowspan={len(results)}>{RESULTS}</td>"
        group = r.group_label if r.role is RowRole.RESULT and r.group_label != RESULTS else None
        if group and group_sizes.get(group, 0) > 1:
            if group not in seen:
                seen.add(group)
                head += f"<td class=l rowspan={group_sizes[group]}>{group}</td>"
            head += f"<td class=l>{r.label}</td>"
        else:
            head += f"<td class=l colspan=2>{r.label}</td>"
        out.append(f"<tr>{head}{cells}</tr>")
    out.append("</table>")
    return "".join(out)


def _t4(report: CanonicalReport) -> str:
    layout = report.layout
    review, *suits = layout.t4_groups
    n = len(layout.t4_columns)
    labels = [c.label for c in layout.t4_columns]
    out = [
        f"<table><tr><td colspan={n} rowspan=2>{review.label}</td>"
        f"<td colspan={n * len(suits)}>行政诉讼</td></tr>",
        "<tr>" + "".join(f"<td colspan={n}>{s.label}</td>" for s in suits) + "</tr>",
        "<tr>" + "".join(f"<td>{lab}</td>" for _ in layout.t4_groups for lab in labels) + "</tr>",
    ]
    keys = [f"t4.{g.name}.{c.name}" for g in layout.t4_groups for c in layout.t4_columns]
    out.append(f"<tr>{_cells(report, keys)}</tr></table>")
    return "".join(out)


def report_html(report: CanonicalReport, organ: str = "某某区人民政府") -> str:
    """The whole report as one HTML page with the three tables."""
    year = report.meta.year or 2023
    body = [
        f"<h1>{organ}{year}年政府信息公开工作年度报告</h1>",
        f"<p>本报告根据《中华人民共和国政府信息公开条例》编制，统计期限为{year}年1月1日至12月31日。</p>",
        "<h2>一、总体情况</h2><p>全面推进政务公开，及时回应社会关切。</p>",
        "<h2>二、主动公开政府信息情况</h2>",
        _t2(report),
        "<h2>三、收到和处理政府信息公开申请情况</h2>",
        _t3(report),
        "<h2>四、政府信息公开行政复议、行政诉讼情况</h2>",
        _t4(report),
        "<h2>五、存在的主要问题及改进情况</h2><p>政策解读形式不够丰富。</p>",
        "<h2>六、其他需要报告的事项</h2><p>本年度未收取信息处理费。</p>",
    ]
    return (
        f"<!doctype html><html><head><meta charset=utf-8><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def chromium() -> str | None:
    """The headless browser from the OS packages, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_pdf(page_html: str) -> bytes:
    """HTML -> PDF bytes through headless Chromium's print-to-pdf."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(page_html, encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", src.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
        return out.read_bytes()


def page_images(pdf: bytes, dpi: int = 150) -> list[Any]:
    """Every page of a PDF rendered to a grey PIL image."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        pages: list[Any] = [doc[i] for i in range(len(doc))]  # render takes any scale
        return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in pages]
    finally:
        doc.close()


def degrade(image: Any, rng: random.Random, max_skew: float = 2.0) -> Any:
    """A scan of the page: skewed, blurred, noisy, JPEG-compressed."""
    import numpy as np
    from PIL import Image, ImageFilter

    grey = image.convert("L")
    angle = rng.uniform(-max_skew, max_skew)
    grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    grey = grey.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    pixels = np.asarray(grey).astype(np.int16)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 10, pixels.shape)
    grey = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    grey.save(buf, format="JPEG", quality=rng.randint(35, 60))
    return Image.open(io.BytesIO(buf.getvalue()))


def image_pdf(images: list[Any]) -> bytes:
    """An image-only PDF (no text layer) of the page images, as a scanner writes it."""
    buf = io.BytesIO()
    first, *rest = [im.convert("L") for im in images]
    first.save(buf, format="PDF", save_all=True, append_images=rest, resolution=150.0)
    return buf.getvalue()


def gold_report(seed: int, template: Template = "2021", blanks: int = 6) -> CanonicalReport:
    """A consistent random report with `blanks` cells printed blank (null in the gold)."""
    from eval.synth.tables import random_cells
    from nianbao.core.models import Meta

    rng = random.Random(f"nianbao-paper:{seed}")
    layout = layout_for(template)
    cells = random_cells(rng, layout, rng.choice(("small", "medium", "large")))
    for key in rng.sample(list(layout.keys), blanks):
        cells[key] = None
    year = 2020 if template == "2019" else 2023
    return CanonicalReport(meta=Meta(organ="某某区人民政府", year=year, template=template),
                           cells=cells)
