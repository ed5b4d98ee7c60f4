"""The LLM extractor end to end against the local server: answers, re-asks, accounting."""

from __future__ import annotations

from extractor.models import SCHEMA_VERSION
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
    assert calls[1].headers.get("X-Stainless-Retry-Count", "0") == "0"


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
