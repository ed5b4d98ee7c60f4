"""The LLM extractor end to end against the local server: answers, re-asks, accounting."""

from __future__ import annotations

import pytest

from nianbao.core.document import SourceDocument
from nianbao.core.errors import SourceError
from nianbao.core.models import SCHEMA_VERSION
from tests.llm.conftest import document
from tests.llm.fake_openai_server import completion
from tests.llm.oracle import asked_rows, is_meta


def test_correct_answer_gives_gold_cells_and_usage(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.responder = oracle.reply
    extraction = make_extractor().extract(doc)

    assert extraction.report.cells == oracle.gold.cells
    assert extraction.report.meta == oracle.gold.meta
    # one meta request, then one per part (二, 三, 四); every identity holds: no re-ask
    calls = server.chat_requests
    assert len(calls) == 4
    assert is_meta(calls[0])
    assert [asked_rows(c)[0].split(".")[0] for c in calls[1:]] == ["t2", "t3", "t4"]
    usage = extraction.usage
    assert usage["calls"] == 4 and usage["cached_calls"] == 0 and usage["retries"] == 0
    assert usage["reasks"] == 0
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["cost_usd"] == round(
        (usage["input_tokens"] * 1.0 + usage["output_tokens"] * 4.0) / 1e6, 6
    )
    assert extraction.extractor == "llm"
    assert extraction.extractor_version == f"prompts-v1+schema-{SCHEMA_VERSION}+test-model"
    # the request carries model, sampling settings, JSON mode, and no retry of its own
    body = calls[1].body
    assert body["model"] == "test-model" and body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    assert calls[1].headers.get("x-stainless-retry-count", "0") == "0"
    # the meta request sends the head of the report; the table requests only the tables
    assert doc.text[:200] in calls[0].last_user
    assert "一、总体情况" not in calls[2].last_user
    assert "一、本年新收政府信息公开申请数量" in calls[2].last_user


def test_trim_off_sends_the_whole_report(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.responder = oracle.reply
    extraction = make_extractor(trim=False).extract(doc)
    assert extraction.report.cells == oracle.gold.cells
    assert doc.text in server.chat_requests[2].last_user


def test_tools_mode_reads_the_same(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.responder = oracle.reply
    extraction = make_extractor(mode="tools").extract(doc)
    assert extraction.report.cells == oracle.gold.cells
    body = server.chat_requests[2].body
    assert body["tools"][0]["function"]["name"].startswith("Answer_t3_")
    assert "response_format" not in body


def test_broken_json_then_correct(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.script.extend([oracle.reply, oracle.reply, completion('{"rows": [{"row": "t3.new", ')])
    server.responder = oracle.reply
    extraction = make_extractor().extract(doc)

    assert extraction.report.cells == oracle.gold.cells
    calls = server.chat_requests
    assert len(calls) == 5  # meta, t2, t3 (broken), t3 again, t4
    reask = calls[3]
    assert asked_rows(calls[2]) == asked_rows(reask)
    assert reask.messages[-2]["role"] == "assistant"
    assert reask.messages[-2]["content"] == '{"rows": [{"row": "t3.new", '
    assert "Correct your JSON" in reask.last_user
    assert extraction.usage["calls"] == 5


def test_wrong_total_is_fixed_by_a_reask_naming_the_equation(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    # the model misreads 一、本年新收 总计 as 9 (the source prints 8)
    server.script.extend([oracle.reply, oracle.reply, oracle.changed({"t3.new": {"total": 9}})])
    server.responder = oracle.reply
    extraction = make_extractor().extract(doc)

    calls = server.chat_requests
    assert len(calls) == 5  # meta, t2, t3, t4, one identity re-ask
    reask = calls[4].last_user
    assert "t3.row_sum[new]: 7+1+0+0+0+0 = 8, printed total 9" in reask
    assert "t3.balance[total]" in reask
    assert "- t3.new in the report: 一、本年新收政府信息公开申请数量 7 1 0 0 0 0 8" in reask
    # the re-ask asks only about the rows of the broken identities, after the earlier answer
    assert set(asked_rows(calls[4])) == {
        "t3.new",
        "t3.carried_over",
        "t3.results_total",
        "t3.carried_forward",
    }
    assert calls[4].messages[-2]["role"] == "assistant"
    assert extraction.report.cells["t3.new.total"] == 8
    assert extraction.report.cells == oracle.gold.cells
    assert extraction.usage["reasks"] == 1
    assert "llm: changed on re-reading after a failed check" in (
        extraction.provenance["t3.new.total"].notes
    )
    # the printed row is checked column by column: the model is told what is printed there
    assert "for t3.new.total you gave 9; that row prints 8 in its column" in reask


def test_a_report_that_breaks_its_own_identity_is_not_fixed(server, make_extractor, seed3) -> None:
    doc, oracle = seed3
    # seed-003 prints 一、本年新收 as 8, 1, 0, 0, 0, 0 with total 0: the oracle reads the print
    assert oracle.gold.cells["t3.new.total"] == 0
    server.responder = oracle.reply
    extraction = make_extractor(max_reasks=2).extract(doc)

    calls = server.chat_requests
    assert len(calls) == 5  # one re-ask (another row's quote); no second round
    # every cell of the broken identity is proven by its printed column: the report's own
    # arithmetic, so it is not re-asked (a re-read cannot read it closer); the rule engine
    # reports it downstream
    assert "t3.row_sum[new]" not in calls[4].last_user
    assert extraction.report.cells == oracle.gold.cells  # what the source says, unrepaired
    assert {"t3.new.natural", "t3.new.total"} <= set(extraction.provenance)
    assert not extraction.provenance["t3.new.total"].notes
    assert extraction.usage["reasks"] == 1
    assert extraction.report.meta.template == "2021"


def test_a_reread_that_is_not_in_the_source_is_not_taken(server, make_extractor, seed3) -> None:
    doc, oracle = seed3
    invented = {"t3.new": {"total": 9, "quote": "一、本年新收政府信息公开申请数量 8 1 0 0 0 0 9"}}
    server.script.extend([oracle.reply] * 4 + [oracle.changed(invented)])
    server.responder = oracle.reply
    extraction = make_extractor(max_reasks=1).extract(doc)

    assert len(server.chat_requests) == 5
    assert extraction.report.cells["t3.new.total"] == 0  # the grounded reading stays


def test_a_reread_that_fixes_the_sum_against_its_quote_is_not_taken(
    server, make_extractor, seed3
) -> None:
    doc, oracle = seed3
    # the re-read quotes the row as printed (total 0) but answers 9, which makes the sum work
    server.script.extend([oracle.reply] * 4 + [oracle.changed({"t3.new": {"total": 9}})])
    server.responder = oracle.reply
    extraction = make_extractor(max_reasks=1).extract(doc)

    assert len(server.chat_requests) == 5
    assert extraction.report.cells["t3.new.total"] == 0  # what the source prints


def test_spans_are_located_in_the_source(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.responder = oracle.reply
    extraction = make_extractor().extract(doc)

    prov = extraction.provenance["t3.new.natural"]
    assert prov.span is not None and prov.alignment.value in ("exact", "fuzzy")
    start, end = prov.span
    assert doc.text[start:end] == prov.snippet == "7"
    # the row's numbers matched its values one by one: each cell has its own span
    label = "一、本年新收政府信息公开申请数量"
    assert doc.text[:start].rstrip().endswith(label)
    total = extraction.provenance["t3.new.total"]
    assert total.snippet == "8" and total.span[0] > end
    assert "".join(doc.text[start : total.span[1]].split()) == "7100008"
    assert prov.extractor == "llm:test-model" and not prov.notes and prov.confidence >= 0.9
    # a row with half-width brackets in the source and full-width ones in the layout label
    partial = extraction.provenance["t3.partial.total"]
    assert partial.span is not None and partial.snippet == "0"
    assert "(二)部分公开" in doc.text[partial.span[0] - 80 : partial.span[0]]
    # a row the report does not print (规章 in seed-004) has no span and is null
    assert extraction.report.cells["t2.rules.new_made"] is None
    assert extraction.provenance["t2.rules.new_made"].span is None
    assert not extraction.flags


def test_a_quote_not_in_the_source_is_reasked_then_flagged(server, make_extractor, seed4) -> None:
    from rules.engine import check
    from rules.verdict import review_flags

    doc, oracle = seed4
    bogus = {"t3.new": {"quote": "本年共收到申请八件,其中自然人七件"}}
    # the model paraphrases the row, and does so again when asked to quote it exactly
    server.script.extend([oracle.reply, oracle.reply, oracle.changed(bogus), oracle.reply])
    server.script.append(oracle.changed(bogus))
    server.responder = oracle.reply
    extraction = make_extractor().extract(doc)

    calls = server.chat_requests
    assert len(calls) == 5 and asked_rows(calls[4]) == ["t3.new"]
    assert "your quote for t3.new, '本年共收到申请八件,其中自然人七件', is not in the report" in (
        calls[4].last_user
    )
    prov = extraction.provenance["t3.new.total"]
    assert prov.alignment.value == "not_found" and prov.span is None
    assert "llm: quote not found in the source" in prov.notes
    assert prov.confidence < 0.9
    assert "t3.new.total" in extraction.flags
    flags = review_flags(extraction, check(extraction.report))
    assert "llm: quote not found in the source" in flags["t3.new.natural"]
    assert "t3.carried_over.total" not in flags


def test_a_quote_given_exactly_on_reask_is_grounded(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    bogus = {"t3.new": {"quote": "本年共收到申请八件,其中自然人七件"}}
    server.script.extend([oracle.reply, oracle.reply, oracle.changed(bogus)])
    server.responder = oracle.reply
    extraction = make_extractor().extract(doc)

    assert len(server.chat_requests) == 5 and extraction.usage["reasks"] == 1
    assert extraction.provenance["t3.new.total"].snippet == "8"
    assert not extraction.flags and extraction.report.cells == oracle.gold.cells


def test_a_file_holding_two_reports_is_refused_before_any_request(
    server, make_extractor, seed4
) -> None:
    # a compilation: the model would read one body's tables under the other's name
    doc, oracle = seed4
    server.responder = oracle.reply
    other = document("seed-000")
    both = SourceDocument.from_text("both.txt", f"{doc.text}\n\n{other.text}", "txt")
    with pytest.raises(SourceError, match="printings do not read alike"):
        make_extractor().extract(both)
    assert server.chat_requests == []
