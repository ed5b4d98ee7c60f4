"""The two national table layouts (2019, 2021) as data: every canonical cell key and its label.

Everything else (models, identities, parser label lists, UI grids) is generated from these
tables, so adding a row here adds its model field, its identities and its grid row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Literal

Template = Literal["2019", "2021"]
TEMPLATES: tuple[Template, ...] = ("2019", "2021")


class ValueKind(StrEnum):
    """What a cell holds: decides its Python type and its domain check."""

    COUNT = "count"  # int >= 0
    SIGNED = "signed"  # int, may be negative (本年增/减)
    AMOUNT = "amount"  # Decimal >= 0, in 万元


class RowRole(StrEnum):
    """Where a part-三 row sits in the balance 新收 + 结转 = 办理结果 + 结转下年度."""

    INTAKE = "intake"
    RESULT = "result"
    RESULTS_TOTAL = "results_total"
    CARRIED_FORWARD = "carried_forward"


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: ValueKind = ValueKind.COUNT
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class T2Row:
    name: str
    label: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class T3Row:
    name: str  # dotted: "denied.state_secret"
    label: str  # the row's own label as printed
    role: RowRole
    group_label: str | None = None  # the merged label on the left: "（三）不予公开"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellSpec:
    """One canonical cell: its key and where it sits in the printed table."""

    key: str
    part: Literal["t2", "t3", "t4"]
    row: str
    column: str
    kind: ValueKind
    row_label: str
    column_label: str


# ---- part 二 -------------------------------------------------------------------------------
_T2_PUBLISH_2019 = (
    Column("new_made", "本年新制作数量"),
    Column("new_published", "本年新公开数量"),
    Column("total_published", "对外公开总数量"),
)
_T2_ITEMS_2019 = (
    Column("prev_items", "上一年项目数量"),
    Column("change", "本年增/减", ValueKind.SIGNED),
    Column("decisions", "处理决定数量"),
)
_T2_2019 = (
    T2Row("rules", "规章", _T2_PUBLISH_2019),
    T2Row("normative", "规范性文件", _T2_PUBLISH_2019, aliases=("行政规范性文件",)),
    T2Row("license", "行政许可", _T2_ITEMS_2019),
    T2Row("other_mgmt", "其他对外管理服务事项", _T2_ITEMS_2019),
    T2Row("penalty", "行政处罚", _T2_ITEMS_2019),
    T2Row("coercion", "行政强制", _T2_ITEMS_2019),
    T2Row("fees", "行政事业性收费", _T2_ITEMS_2019[:2]),
    T2Row(
        "procurement",
        "政府集中采购",
        (
            Column("items", "采购项目数量"),
            Column("amount_wan", "采购总金额", ValueKind.AMOUNT),
        ),
    ),
)
_T2_DOCS_2021 = (
    Column("issued", "本年制发件数"),
    Column("repealed", "本年废止件数"),
    Column("in_force", "现行有效件数"),
)
_T2_DECISIONS_2021 = (Column("decisions", "本年处理决定数量"),)
_T2_2021 = (
    T2Row("rules", "规章", _T2_DOCS_2021),
    T2Row("normative", "行政规范性文件", _T2_DOCS_2021, aliases=("规范性文件",)),
    T2Row("license", "行政许可", _T2_DECISIONS_2021),
    T2Row("penalty", "行政处罚", _T2_DECISIONS_2021),
    T2Row("coercion", "行政强制", _T2_DECISIONS_2021),
    T2Row(
        "fees",
        "行政事业性收费",
        (Column("amount_wan", "本年收费金额（单位：万元）", ValueKind.AMOUNT),),
    ),
)

# ---- part 三 -------------------------------------------------------------------------------
T3_COLUMNS: tuple[Column, ...] = (
    Column("natural", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("social", "社会公益组织"),
    Column("legal", "法律服务机构"),
    Column("other_org", "其他"),
    Column("total", "总计"),
)

_DENIED = "（三）不予公开"
_UNABLE = "（四）无法提供"
_REJECTED = "（五）不予处理"
_OTHER = "（六）其他处理"
_RESULTS = "三、本年度办理结果"

_T3_HEAD = (
    # the shortened labels some reports print ("一、本年新收申请数量") miss the prefix and
    # the fuzzy match of the full label: without them part 三 is not found at all
    T3Row("new", "一、本年新收政府信息公开申请数量", RowRole.INTAKE, aliases=("本年新收申请数量",)),
    T3Row(
        "carried_over",
        "二、上年结转政府信息公开申请数量",
        RowRole.INTAKE,
        aliases=("上年结转申请数量",),
    ),
    T3Row("granted", "（一）予以公开", RowRole.RESULT, _RESULTS),
    T3Row(
        "partial",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        RowRole.RESULT,
        _RESULTS,
    ),
    T3Row("denied.state_secret", "1.属于国家秘密", RowRole.RESULT, _DENIED),
    T3Row("denied.law_prohibited", "2.其他法律行政法规禁止公开", RowRole.RESULT, _DENIED),
    T3Row("denied.three_safety", "3.危及“三安全一稳定”", RowRole.RESULT, _DENIED),
    T3Row("denied.third_party", "4.保护第三方合法权益", RowRole.RESULT, _DENIED),
    T3Row("denied.internal", "5.属于三类内部事务信息", RowRole.RESULT, _DENIED),
    T3Row("denied.process", "6.属于四类过程性信息", RowRole.RESULT, _DENIED),
    T3Row("denied.enforcement", "7.属于行政执法案卷", RowRole.RESULT, _DENIED),
    T3Row("denied.query", "8.属于行政查询事项", RowRole.RESULT, _DENIED),
    T3Row(
        "unable.not_held",
        "1.本机关不掌握相关政府信息",
        RowRole.RESULT,
        _UNABLE,
        aliases=("1.本机关不掌握相关信息",),
    ),
    T3Row("unable.need_creation", "2.没有现成信息需要另行制作", RowRole.RESULT, _UNABLE),
    T3Row("unable.unclear", "3.补正后申请内容仍不明确", RowRole.RESULT, _UNABLE),
    T3Row("rejected.petition", "1.信访举报投诉类申请", RowRole.RESULT, _REJECTED),
    T3Row("rejected.duplicate", "2.重复申请", RowRole.RESULT, _REJECTED),
    T3Row("rejected.publication", "3.要求提供公开出版物", RowRole.RESULT, _REJECTED),
    T3Row("rejected.massive", "4.无正当理由大量反复申请", RowRole.RESULT, _REJECTED),
    T3Row(
        "rejected.confirm",
        "5.要求行政机关确认或重新出具已获取信息",
        RowRole.RESULT,
        _REJECTED,
    ),
)
_T3_TAIL = (
    # some bodies print the grand total as 合计
    T3Row("results_total", "（七）总计", RowRole.RESULTS_TOTAL, _RESULTS, aliases=("（七）合计",)),
    T3Row("carried_forward", "四、结转下年度继续办理", RowRole.CARRIED_FORWARD),
)
_T3_2019 = (*_T3_HEAD, T3Row("other", "（六）其他处理", RowRole.RESULT, _RESULTS), *_T3_TAIL)
_T3_2021 = (
    *_T3_HEAD,
    T3Row(
        "other.no_supplement",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        RowRole.RESULT,
        _OTHER,
    ),
    T3Row(
        "other.no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        RowRole.RESULT,
        _OTHER,
    ),
    T3Row("other.misc", "3.其他", RowRole.RESULT, _OTHER),
    *_T3_TAIL,
)

# ---- part 四 -------------------------------------------------------------------------------
T4_GROUPS: tuple[Column, ...] = (
    Column("review", "行政复议"),
    Column("suit_direct", "未经复议直接起诉"),
    Column("suit_after_review", "复议后起诉"),
)
T4_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)


@dataclass(frozen=True)
class Layout:
    """One template's tables. `cells` lists every canonical key in printed order."""

    template: Template
    t2_rows: tuple[T2Row, ...]
    t3_rows: tuple[T3Row, ...]
    t3_columns: tuple[Column, ...] = T3_COLUMNS
    t4_groups: tuple[Column, ...] = T4_GROUPS
    t4_columns: tuple[Column, ...] = T4_COLUMNS
    cells: tuple[CellSpec, ...] = field(init=False)

    def __post_init__(self) -> None:
        specs: list[CellSpec] = []
        for row in self.t2_rows:
            for col in row.columns:
                specs.append(
                    CellSpec(
                        f"t2.{row.name}.{col.name}",
                        "t2",
                        row.name,
                        col.name,
                        col.kind,
                        row.label,
                        col.label,
                    )
                )
        for t3 in self.t3_rows:
            for col in self.t3_columns:
                specs.append(
                    CellSpec(
                        f"t3.{t3.name}.{col.name}",
                        "t3",
                        t3.name,
                        col.name,
                        col.kind,
                        t3.label,
                        col.label,
                    )
                )
        for group in self.t4_groups:
            for col in self.t4_columns:
                specs.append(
                    CellSpec(
                        f"t4.{group.name}.{col.name}",
                        "t4",
                        group.name,
                        col.name,
                        col.kind,
                        group.label,
                        col.label,
                    )
                )
        object.__setattr__(self, "cells", tuple(specs))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.cells)

    def spec(self, key: str) -> CellSpec:
        return _spec_index(self.template)[key]

    def t3_key(self, row: str, column: str) -> str:
        return f"t3.{row}.{column}"


LAYOUTS: dict[str, Layout] = {
    "2019": Layout("2019", _T2_2019, _T3_2019),
    "2021": Layout("2021", _T2_2021, _T3_2021),
}


@cache
def _spec_index(template: str) -> dict[str, CellSpec]:
    return {spec.key: spec for spec in LAYOUTS[template].cells}


def layout_for(template: str) -> Layout:
    """The layout of a template; a clear error for anything but "2019" / "2021"."""
    try:
        return LAYOUTS[str(template)]
    except KeyError:
        raise ValueError(
            f"unknown template {template!r}: expected one of {', '.join(TEMPLATES)}"
        ) from None


def template_for_year(year: int) -> Template:
    """The national layout in force for a report year (2019 layout for 2019-2020)."""
    return "2019" if year <= 2020 else "2021"
