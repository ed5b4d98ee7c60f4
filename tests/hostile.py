"""Hostile inputs found by probing (issue 11), generated at any size: each blew up a reader
or the parser once. Shared by the tests (small sizes, small limits) and bench/bench_hostile.py."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

# The part-三 labels a text needs before the parser looks at it (readers.check_is_report).
HEAD = (
    "某某局2023年政府信息公开工作年度报告\n"
    "三、收到和处理政府信息公开申请情况\n"
    "本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n"
    "上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
    "（一）予以公开\t3\t0\t0\t0\t0\t0\t3\n"
    "（五）不予处理\t0\t0\t0\t0\t0\t0\t0\n"
    "（六）无法提供\t0\t0\t0\t0\t0\t0\t0\n"
    "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0\n"
)


def wide_row(values: int) -> str:
    """A report whose part-三 row prints `values` tab-separated numbers (alignment blew up)."""
    row = "（二）部分公开\t" + "\t".join(str(i % 97 + 1) for i in range(values)) + "\n"
    return HEAD + row


def glued_digits(digits: int) -> str:
    """A row holding one run of `digits` glued digits (int() refuses more than 4,300)."""
    return HEAD + "（三）不予公开\t" + "7" * digits + "\n"


def nested_html(depth: int) -> str:
    """A page of `depth` nested <div>s around the report (bs4 insert_after was quadratic)."""
    body = "<p>" + HEAD.replace("\n", "</p><p>") + "</p>"
    return "<html><body>" + "<div>" * depth + body + "</div>" * depth + "</body></html>"


def _docx(document_xml: bytes | Iterable[bytes]) -> bytes:
    """A minimal .docx package around `document_xml` (given whole or in chunks)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            for chunk in [document_xml] if isinstance(document_xml, bytes) else document_xml:
                part.write(chunk)
    return out.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_paragraphs(lines: list[str]) -> bytes:
    """A .docx with one paragraph per line."""
    paras = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{paras}'
    return _docx((xml + "</w:body></w:document>").encode("utf-8"))


def docx_bomb(text_bytes: int) -> bytes:
    """A .docx whose one text node holds `text_bytes` of 'a' (compresses ~1000:1)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
    paras = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in HEAD.splitlines())

    def chunks() -> Iterator[bytes]:  # streamed: a 5 GB node never sits in memory here
        yield (head + paras + "<w:p><w:r><w:t>").encode()
        left = text_bytes
        while left > 0:
            yield b"a" * min(left, 1 << 20)
            left -= 1 << 20
        yield b"</w:t></w:r></w:p></w:body></w:document>"

    return _docx(chunks())


def docx_spans(rows: int, span: int = 1_000_000) -> bytes:
    """A .docx whose table has `rows` rows under one vertically merged label, each row a cell
    spanning `span` grid columns (a colspan expanded as given would be rows x span cells)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
    paras = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in HEAD.splitlines())
    merge = "<w:tcPr><w:vMerge w:val='restart'/></w:tcPr>"
    wide = (
        f"<w:tc><w:tcPr><w:gridSpan w:val='{span}'/></w:tcPr>"
        "<w:p><w:r><w:t>7</w:t></w:r></w:p></w:tc>"
    )

    def chunks() -> Iterator[bytes]:
        yield (head + paras + "<w:tbl>").encode()
        label = "<w:tc>" + merge + "<w:p><w:r><w:t>（一）予以公开</w:t></w:r></w:p></w:tc>"
        yield f"<w:tr>{label}{wide}</w:tr>".encode()
        row = f"<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>{wide}</w:tr>".encode()
        for _ in range(rows - 1):
            yield row
        yield b"</w:tbl></w:body></w:document>"

    return _docx(chunks())


def big_text(size_bytes: int) -> bytes:
    """A text report padded with prose to `size_bytes` (a 100 MB one used 2.1 GB)."""
    filler = ("本机关依法公开政府信息，" * 40 + "\n").encode("utf-8")
    body = HEAD.encode("utf-8")
    return body + filler * max(0, (size_bytes - len(body)) // len(filler))
