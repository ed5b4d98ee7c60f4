"""A report as the printed page shows it: HTML with ruled tables, merged label cells and
headers, printed to PDF by headless Chromium, rendered to page images, and degraded like a
scan (150 dpi, skew, noise, blur, JPEG). Tests and benchmarks make their own PDFs and scans
from a gold this way, so every cell can be scored.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from eval.synth.national import html_table, t2_tables, t3_table, t4_table
from nianbao.core.layout import Template, layout_for
from nianbao.core.models import CanonicalReport

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


def _t2(report: CanonicalReport) -> str:
    return "".join(html_table(table) for table in t2_tables(report))


def _t3(report: CanonicalReport) -> str:
    return html_table(t3_table(report))


def _t4(report: CanonicalReport) -> str:
    return html_table(t4_table(report))


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
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp}/profile",
                f"--print-to-pdf={out}",
                src.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
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


def gold_report(
    seed: int, template: Template = "2021", blanks: int = 6, zero_blanks: bool = False
) -> CanonicalReport:
    """A consistent random report with `blanks` cells printed blank (null in the gold). With
    `zero_blanks` the blanks stand where the count is 0 (as reports print a nil count "—" or
    leave it empty): the print stays consistent with a blank read as nothing."""
    from eval.synth.tables import random_cells
    from nianbao.core.models import Meta

    rng = random.Random(f"nianbao-paper:{seed}")
    layout = layout_for(template)
    cells = random_cells(rng, layout, rng.choice(("small", "medium", "large")))
    candidates = [k for k in layout.keys if cells[k] == 0] if zero_blanks else list(layout.keys)
    for key in rng.sample(candidates, min(blanks, len(candidates))):
        cells[key] = None
    year = 2020 if template == "2019" else 2023
    return CanonicalReport(
        meta=Meta(organ="某某区人民政府", year=year, template=template), cells=cells
    )
