"""The store's views as JSON: counts as numbers, amounts as exact decimal strings."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from nianbao.core.models import CellValue
from nianbao.store import CellView, DecisionView, JobRecord, ReportSummary, ReportView
from rules.findings import Finding, Suspect


def value(v: CellValue) -> int | str | None:
    """8 -> 8, Decimal("373.9265") -> "373.9265" (a float would lose the exact amount)."""
    return str(v) if isinstance(v, Decimal) else v


def summary(s: ReportSummary) -> dict[str, Any]:
    return dataclasses.asdict(s)


def cell(c: CellView) -> dict[str, Any]:
    return {
        "value": value(c.value),
        "extracted": value(c.extracted),
        "status": c.status,
        "reasons": c.reasons,
        "review_state": c.review_state,
        "version": c.version,
        "provenance": {
            "agreement": c.agreement,
            "parser_value": value(c.parser_value),
            "llm_value": value(c.llm_value),
            "span": list(c.span) if c.span else None,
            "snippet": c.snippet,
            "method": c.method,
            "alignment": c.alignment,
            "confidence": c.confidence,
        },
    }


def finding(f: Finding) -> dict[str, Any]:
    return f.model_dump(mode="json")


def suspect(s: Suspect) -> dict[str, Any]:
    return s.model_dump(mode="json")


def decision(d: DecisionView) -> dict[str, Any]:
    return dataclasses.asdict(d)


def report(view: ReportView) -> dict[str, Any]:
    """Everything about a report's current result: summary, cells, findings, audit trail."""
    return {
        "summary": summary(view.summary),
        "media": view.media,
        "cells": {k: cell(c) for k, c in view.cells.items()},
        "findings": [finding(f) for f in view.findings],
        "suspects": [suspect(s) for s in view.suspects],
        "decisions": [decision(d) for d in view.decisions],
    }


def job(j: JobRecord) -> dict[str, Any]:
    return {
        "id": j.id,
        "name": j.name,
        "content_hash": j.content_hash,
        "size_bytes": j.size_bytes,
        "status": j.status,
        "attempts": j.attempts,
        "report_id": j.report_id,
        "error": j.error,
        "created_at": j.created_at,
        "updated_at": j.updated_at,
    }
