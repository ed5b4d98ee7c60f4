"""An answer cut off at max_tokens is asked again in halves (then quarters) over the real HTTP
path, prompts v3; past that the report fails with one line."""

from __future__ import annotations

import pytest

from nianbao.core.errors import LLMRequestError
from tests.llm.fake_openai_server import completion
from tests.llm.oracle import asked_rows


def _cut(_request):  # type: ignore[no-untyped-def]
    return completion('{"organ": "x", "rows": [["t2.rules", "规章 0', finish_reason="length")


def test_a_cut_off_read_is_asked_again_in_halves(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.script.append(_cut)
    server.responder = oracle.reply
    extraction = make_extractor(prompt_version="v3").extract(doc)

    whole, first, second = (asked_rows(r) for r in server.chat_requests)
    assert len(server.chat_requests) == 3
    assert first and second and first + second == whole  # each row once, in order
    assert extraction.report.cells == oracle.gold.cells
    assert extraction.report.meta.organ == oracle.gold.meta.organ
    assert extraction.usage["calls"] == 3  # the cut-off answer was paid for too


def test_answers_cut_off_at_every_split_fail_the_report(server, make_extractor, seed4) -> None:
    doc, _oracle = seed4
    server.responder = _cut
    with pytest.raises(LLMRequestError, match="cut off at max_tokens=4096"):
        make_extractor(prompt_version="v3").extract(doc)
    # depth first: the whole, its first half, that half's first quarter, which still does
    # not fit; nothing more is sent (a report that splits and fits costs at most 1 + 2 + 4)
    asked = [asked_rows(r) for r in server.chat_requests]
    assert len(asked) == 3
    assert len(asked[0]) > len(asked[1]) > len(asked[2]) > 0
