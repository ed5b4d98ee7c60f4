"""Inputs the fuzz harness found that ended in a traceback: each now refused in one line."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest

from extractor.readers import read_document
from nianbao.core.errors import SourceError
from tests.fuzz.inputs import sample_docx


def _damaged_deflate(data: bytes, member: str) -> bytes:
    """`data` with the middle of `member`'s compressed bytes overwritten: zlib itself fails
    (not zipfile's CRC check), as a bit rot or a cut download does."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    out = bytearray(data)
    for at in range(start + info.compress_size // 3, start + info.compress_size // 2, 7):
        out[at] ^= 0x5A
    return bytes(out)


@pytest.mark.parametrize("member", ["_rels/.rels", "word/document.xml"])
def test_a_docx_with_a_damaged_deflate_stream_is_refused_in_one_line(
    tmp_path: Path, member: str
) -> None:
    data = _damaged_deflate(sample_docx(), member)
    with pytest.raises(zlib.error):  # what python-docx met, unguarded
        zipfile.ZipFile(io.BytesIO(data)).read(member)
    path = tmp_path / "report.docx"
    path.write_bytes(data)
    with pytest.raises(SourceError, match=r"report\.docx: not a readable \.docx") as caught:
        read_document(path)
    assert "\n" not in str(caught.value)


REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_chinese_report_in_utf16_without_a_bom_is_read(tmp_path: Path, encoding: str) -> None:
    """Found by the fuzz run: few ASCII characters, so few NULs, was taken for binary."""
    text = (REAL / "seed-003.txt").read_text("utf-8")
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode(encoding))
    assert read_document(path).text == text.replace("\r\n", "\n")


def test_binary_data_is_still_refused_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(sample_docx())  # a zip: NULs on both sides
    with pytest.raises(SourceError, match="binary data"):
        read_document(path)
    path.write_bytes(b"\x00\x01\x02\x03" * 500 + "本年新收".encode("utf-16-le"))
    with pytest.raises(SourceError, match="binary data"):
        read_document(path)


FOUND = Path(__file__).parent / "fuzz" / "found"


@pytest.mark.parametrize("path", sorted(FOUND.iterdir()), ids=lambda p: p.name)
def test_inputs_the_fuzz_run_found_are_refused_in_one_line(path: Path, tmp_path: Path) -> None:
    """The corpus of found inputs: negative-seek.docx made zipfile seek before the file."""
    target = tmp_path / f"report{path.suffix}"
    target.write_bytes(path.read_bytes())
    with pytest.raises(SourceError) as caught:
        read_document(target)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(target.name)


def test_a_docx_whose_root_is_not_a_word_document_is_refused_in_one_line(tmp_path: Path) -> None:
    """Found by the 10,000-input hostile run: a mutated root tag parses as a plain element."""
    from tests.fuzz.inputs import _document_xml, _docx_with

    xml = _document_xml()
    assert b"<w:document " in xml
    mangled = xml.replace(b"<w:document ", b"<w:documenX ").replace(
        b"</w:document>", b"</w:documenX>"
    )
    path = tmp_path / "report.docx"
    path.write_bytes(_docx_with(mangled))
    with pytest.raises(SourceError, match=r"report\.docx: not a readable \.docx") as caught:
        read_document(path)
    assert "\n" not in str(caught.value)
