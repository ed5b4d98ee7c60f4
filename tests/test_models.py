"""The models: exact keys per template, typed round trip, clear validation errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings

from nianbao.core.errors import CanonicalError
from nianbao.core.layout import LAYOUTS
from nianbao.core.models import (
    CanonicalReport,
    Meta,
    ReportAdapter,
    canonical_json_schema,
    typed_json_schema,
)
from tests.strategies import consistent_reports


def test_cell_counts_match_the_spec() -> None:
    # spec: 2019 = 22 + 161 + 15 = 198 cells, 2021 = 10 + 175 + 15 = 200
    assert len(LAYOUTS["2019"].keys) == 198
    assert len(LAYOUTS["2021"].keys) == 200
    assert "t3.other.total" in LAYOUTS["2019"].keys
    assert "t3.other.misc.legal" in LAYOUTS["2021"].keys
    assert "t3.other.misc.legal" not in LAYOUTS["2019"].keys
    assert len(set(LAYOUTS["2021"].keys)) == 200


@settings(max_examples=40, deadline=None)
@given(consistent_reports())
def test_round_trip_canonical_typed_json(report: CanonicalReport) -> None:
    typed = report.to_typed()
    assert type(typed).__name__ == f"Report{report.meta.template}"
    assert CanonicalReport.from_typed(typed).cells == report.cells
    again = CanonicalReport.from_json(report.to_json())
    assert again.cells == report.cells and again.meta == report.meta


def test_typed_attribute_path_is_the_canonical_key() -> None:
    report = CanonicalReport.empty(Meta(template="2021"))
    report.cells["t3.denied.state_secret.natural"] = 4
    typed = report.to_typed()
    assert typed.t3.denied.state_secret.natural == 4
    assert typed.t3.denied.state_secret.total is None  # null stays null, never 0


def test_template_is_the_discriminator() -> None:
    typed = ReportAdapter.validate_python({"meta": {"template": "2019"}})
    assert type(typed).__name__ == "Report2019"
    with pytest.raises(Exception, match="other"):
        ReportAdapter.validate_python(
            {"meta": {"template": "2019"}, "t3": {"other": {"misc": {"total": 1}}}}
        )


def test_unknown_and_missing_keys_are_named() -> None:
    report = CanonicalReport.empty(Meta(template="2021"))
    data = report.to_json_dict()
    data["cells"]["t3.other.total"] = 1
    del data["cells"]["t4.review.total"]
    with pytest.raises(CanonicalError) as err:
        CanonicalReport.from_json_dict(data)
    assert "unknown keys for template 2021: t3.other.total" in str(err.value)
    assert "missing keys for template 2021: t4.review.total" in str(err.value)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("t3.new.natural", 1.5, "not a whole number"),
        ("t3.new.natural", "3", "not a whole number"),
        ("t3.new.natural", True, "not a number"),
        ("t2.fees.amount_wan", "abc", "not an amount"),
    ],
)
def test_wrong_value_types_are_rejected(key: str, value: object, message: str) -> None:
    data = CanonicalReport.empty(Meta(template="2021")).to_json_dict()
    data["cells"][key] = value
    with pytest.raises(CanonicalError, match=message):
        CanonicalReport.from_json_dict(data)


def test_amounts_keep_their_decimals() -> None:
    report = CanonicalReport.empty(Meta(template="2019"))
    report.cells["t2.procurement.amount_wan"] = Decimal("373.9265")
    text = report.to_json()
    assert '"t2.procurement.amount_wan": 373.9265' in text
    assert CanonicalReport.from_json(text).cells["t2.procurement.amount_wan"] == Decimal("373.9265")


def test_bad_template_and_bad_json() -> None:
    with pytest.raises(CanonicalError, match="template"):
        CanonicalReport.from_json(json.dumps({"meta": {"template": "2022"}, "cells": {}}))
    with pytest.raises(CanonicalError, match="not valid JSON"):
        CanonicalReport.from_json("{")


def test_json_schema_covers_both_templates() -> None:
    schema = json.dumps(typed_json_schema())
    assert "Report2019" in schema and "Report2021" in schema


def test_committed_schemas_are_current() -> None:
    docs = Path(__file__).parent.parent / "docs"
    for name, schema in (
        ("report.schema.json", canonical_json_schema()),
        ("report.typed.schema.json", typed_json_schema()),
    ):
        committed = json.loads((docs / name).read_text(encoding="utf-8"))
        assert committed == json.loads(json.dumps(schema)), f"regenerate docs/{name}"


def test_canonical_schema_accepts_gold_and_rejects_extra_keys() -> None:
    import jsonschema  # a dev dependency

    gold_path = Path(__file__).parent.parent / "eval/data/real/seed-004.gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    jsonschema.validate(gold, canonical_json_schema())
    gold["cells"]["t3.other.misc.total"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(gold, canonical_json_schema())
