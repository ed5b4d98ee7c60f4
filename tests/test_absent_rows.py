"""A part-二 row the report does not print is a proven null only when nothing stands where it
would: through the real reader and parser, on seed-001 (a tab table, accepted as it is)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.parser import ParserExtractor
from extractor.readers import read_document
from nianbao.core.models import Method
from rules.engine import check
from rules.proof import ProofLevel
from rules.proving import prove
from tests.common import REAL

TEXT = (REAL / "seed-001.txt").read_text(encoding="utf-8")
RULES = "规章\t0\t0\t0\n"
NORMATIVE = "规范性文件\t0\t0\t0\n"
RULES_KEYS = ("t2.rules.new_made", "t2.rules.new_published", "t2.rules.total_published")


def _proof(tmp_path: Path, old: str, new: str):  # type: ignore[no-untyped-def]
    assert old in TEXT
    path = tmp_path / "report.txt"
    path.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    extraction = ParserExtractor().extract(read_document(path))
    return extraction, prove(extraction, check(extraction.report))


def _assert_proven_absent(extraction, proof, keys: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """Every cell of the row null, read as not printed, proven blank; the report accepted."""
    for key in keys:
        assert extraction.report.cells[key] is None
        assert extraction.provenance[key].method is Method.ABSENT
        assert proof.levels[key] is ProofLevel.BLANK_PROVEN
    assert proof.accepted


def test_the_report_as_printed_is_accepted(tmp_path: Path) -> None:
    _, proof = _proof(tmp_path, RULES, RULES)
    assert proof.accepted  # the baseline the cases below change one thing of


def test_a_first_row_not_printed_at_all_is_a_proven_null(tmp_path: Path) -> None:
    # a county with no power to make 规章 drops the row: the header runs into 规范性文件
    _assert_proven_absent(*_proof(tmp_path, RULES, ""), RULES_KEYS)


def test_a_row_after_a_plainly_read_row_not_printed_is_a_proven_null(tmp_path: Path) -> None:
    _, proof = _proof(tmp_path, NORMATIVE, "")
    assert proof.levels["t2.normative.total_published"] is ProofLevel.BLANK_PROVEN
    assert proof.accepted


@pytest.mark.parametrize(
    "printed",
    [
        "\t0\t0\t0\n",  # the label lost, its values still there
        "O\tO\tO\n",  # the values as OCR look-alikes of 0
        "—\t—\t—\n",  # placeholders: the row's cells printed blank, not the row absent
        "第1项\n",  # a digit of any kind where the row would be
    ],
)
def test_anything_printed_where_the_row_would_stand_is_no_proof(
    tmp_path: Path, printed: str
) -> None:
    extraction, proof = _proof(tmp_path, RULES, printed)
    for key in RULES_KEYS:
        assert extraction.provenance[key].method is not Method.ABSENT
        assert proof.levels[key] is not ProofLevel.BLANK_PROVEN
    assert not proof.accepted


def test_a_row_after_a_row_printing_one_value_too_many_is_not_proven_absent(
    tmp_path: Path,
) -> None:
    # 规章 prints four values: the fourth may be the first of 规范性文件's, whose label is lost
    _, proof = _proof(tmp_path, RULES + NORMATIVE, "规章\t0\t0\t0\t0\n")
    assert proof.levels["t2.normative.total_published"] is not ProofLevel.BLANK_PROVEN
    assert not proof.accepted


MASSIVE = "\t\t4.无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0\n"
MASSIVE_KEYS = tuple(
    f"t3.rejected.massive.{c}"
    for c in ("natural", "commercial", "research", "social", "legal", "other_org", "total")
)


def test_a_part_three_row_not_printed_at_all_is_a_proven_null(tmp_path: Path) -> None:
    # synth-504-0030: a report that drops a row of 0s; its cells were inferred 0 from the sums
    # (a value the report does not print) and the report waited
    _assert_proven_absent(*_proof(tmp_path, MASSIVE, ""), MASSIVE_KEYS)


def test_a_part_three_row_not_printed_is_checked_by_the_identities_as_zero(
    tmp_path: Path,
) -> None:
    # the dropped row held an application: the totals still count it, so the print breaks
    # the sums once the row counts as nothing printed
    one = "\t1\t0\t0\t0\t0\t0\t1"
    text = TEXT.replace(
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
        "一、本年新收政府信息公开申请数量\t" + one,
    ).replace("(七) 总计\t0\t0\t0\t0\t0\t0\t0", "(七) 总计" + one)
    assert text.count(one) == 2
    path = tmp_path / "report.txt"
    path.write_text(text.replace(MASSIVE, ""), encoding="utf-8")
    extraction = ParserExtractor().extract(read_document(path))
    proof = prove(extraction, check(extraction.report))
    assert extraction.provenance[MASSIVE_KEYS[0]].method is Method.ABSENT
    assert proof.levels[MASSIVE_KEYS[0]] is ProofLevel.CONTRADICTS
    assert not proof.accepted


@pytest.mark.parametrize(
    "printed",
    [
        "\t\t\t0\t0\t0\t0\t0\t0\t0\n",  # the label lost, its values still there
        "\t\t4.\t0\t0\t0\t0\t0\t0\t0\n",  # the same, its number left
    ],
)
def test_a_part_three_row_whose_values_remain_is_not_absent(tmp_path: Path, printed: str) -> None:
    extraction, _ = _proof(tmp_path, MASSIVE, printed)
    for key in MASSIVE_KEYS:
        assert extraction.provenance[key].method is not Method.ABSENT


def test_a_part_three_row_printed_out_of_order_is_not_absent(tmp_path: Path) -> None:
    # the row printed after part 三's last row: where layout order looks, nothing stands,
    # but the label is in the table
    moved = TEXT.replace(MASSIVE, "")
    last = "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0\t\n"
    assert last in moved
    extraction, _ = _proof(tmp_path, TEXT, moved.replace(last, last + MASSIVE.lstrip("\t")))
    for key in MASSIVE_KEYS:
        assert extraction.provenance[key].method is not Method.ABSENT


def test_a_row_whose_label_is_misread_beside_a_misread_neighbour_is_not_absent(
    tmp_path: Path,
) -> None:
    # both labels OCR-damaged: the fuzzy match of 信访举报投诉类申请 must not reach past its
    # values into "重复中请" and leave the 重复申请 row looking unprinted
    damaged = "1.倍访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0\n\t\t2.重复中请\t0\t0\t0\t0\t0\t0\t0"
    extraction, proof = _proof(
        tmp_path,
        "1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0\n\t\t2.重复申请\t0\t0\t0\t0\t0\t0\t0",
        damaged,
    )
    for col in ("natural", "total"):
        key = f"t3.rejected.duplicate.{col}"
        assert extraction.provenance[key].method != Method.ABSENT
        # read (the 0 printed there) or left in doubt, never a proven null
        assert not (extraction.report.cells[key] is None and proof.accepted)


def test_a_row_whose_values_straddle_another_rows_label_proves_no_row_absent(
    tmp_path: Path,
) -> None:
    # 结转 prints three values and 予以公开 (label misread) four: together seven plain
    # values, with a label's words between them. They are not one row's printing, so where
    # 结转's printing ends is unknown and 予以公开 is not proven unprinted
    extraction, proof = _proof(
        tmp_path,
        "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t\n"
        "三、本年度办理结果\t(一) 予以公开\t0\t0\t0\t0\t0\t0\t0\t\n",
        "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t\n"
        "三、本年度办理结果\t(一) 予以么开\t0\t0\t0\t0\t\n",
    )
    for col in ("natural", "total"):
        key = f"t3.granted.{col}"
        assert extraction.provenance[key].method != Method.ABSENT
        assert proof.levels[key] is not ProofLevel.BLANK_PROVEN


def test_a_table_missing_its_first_row_with_the_third_misread_is_still_found(
    tmp_path: Path,
) -> None:
    # no 本年新收 row, and 予以公开 OCR'd: 上年结转 is followed closely by 部分公开
    extraction, _ = _proof(
        tmp_path,
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t\n"
        "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t\n"
        "三、本年度办理结果\t(一) 予以公开",
        "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t\n"
        "三、本年度办理结果\t(一) 予以么开",
    )
    assert extraction.report.cells["t3.carried_over.total"] == 0
    assert extraction.report.cells["t3.partial.total"] == 0


def test_a_row_printed_around_its_values_still_shows_where_the_next_would_stand(
    tmp_path: Path,
) -> None:
    # a PDF's centred label wraps around its values; the report omits (六)其他处理 after it
    extraction, proof = _proof(
        tmp_path,
        "5.要求行政机关确认或重新出具已获取信息\t\t0\t0\t0\t0\t0\t0\t0\t\n"
        "(六) 其他处理\t0\t0\t0\t0\t0\t0\t0\t\t\n",
        "5.要求行政机关\n确认或重新出具\t0\t0\t0\t0\t0\t0\t0\n已获取信息\n",
    )
    assert extraction.report.cells["t3.rejected.confirm.total"] == 0
    for col in ("natural", "total"):
        key = f"t3.other.{col}"
        assert extraction.provenance[key].method == Method.ABSENT
        assert proof.levels[key] is ProofLevel.BLANK_PROVEN


def test_column_headers_among_a_rows_values_do_not_hide_where_the_next_would_stand(
    tmp_path: Path,
) -> None:
    # text extracted without layout: the header words interleaved with the first row's
    # values, one item a line; the report omits 二、上年结转
    interleaved = "".join(
        f"{word}\n0\n"
        for word in (
            "自然人",
            "法人或其他组织",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
        )
    )
    extraction, proof = _proof(
        tmp_path,
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t\n"
        "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t\n",
        f"一、本年新收政府信息公开申请数量\n{interleaved}",
    )
    for col in ("natural", "total"):
        key = f"t3.carried_over.{col}"
        assert extraction.provenance[key].method == Method.ABSENT
        assert proof.levels[key] is ProofLevel.BLANK_PROVEN


def test_a_row_whose_values_follow_another_rows_misread_label_proves_nothing(
    tmp_path: Path,
) -> None:
    # synth-8303-0250: 行政处罚's values lost and 行政强制's label misread ("行攻强制", run
    # into the label before it, so not found): the values after the words are 行政强制's,
    # read as 行政处罚's with 行政强制 "not printed"
    extraction, proof = _proof(
        tmp_path, "行政处罚\t0\t0\t0\n行政强制\t0\t0\t0\n", "行政处罚行攻强制\t0\t0\t0\n"
    )
    for key in ("t2.coercion.prev_items", "t2.coercion.change", "t2.coercion.decisions"):
        assert extraction.provenance[key].method is not Method.ABSENT
        assert proof.levels[key] is not ProofLevel.BLANK_PROVEN
    for key in ("t2.penalty.prev_items", "t2.penalty.change", "t2.penalty.decisions"):
        assert proof.levels[key] is not ProofLevel.READ_CONFIRMED
    assert not proof.accepted
