"""Targeted re-extraction, bulk runs under a rate limit, and the configuration file."""

from __future__ import annotations

import time

import pytest

from extractor.llm import extract_many, load_config
from extractor.registry import get_extractor
from nianbao.core.errors import BackendError, LLMRequestError
from nianbao.core.models import Alignment, CellProvenance, Extraction
from tests.llm.conftest import FAST_RETRY, TEST_KEY, document
from tests.llm.fake_openai_server import completion, error
from tests.llm.oracle import asked_rows


def parser_like(oracle, wrong: dict[str, int]) -> Extraction:
    """An extraction as another backend might hand it over: gold values with some misread."""
    cells = dict(oracle.gold.cells) | wrong
    report = oracle.gold.model_copy(update={"cells": cells})
    provenance = {
        key: CellProvenance(extractor="parser", alignment=Alignment.EXACT) for key in cells
    }
    return Extraction(
        report=report,
        provenance=provenance,
        flags=sorted(wrong),
        extractor="parser",
        extractor_version="parser-test",
        source_name="seed-004.txt",
    )


def test_reextract_asks_only_about_the_flagged_rows(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.responder = oracle.reply
    before = parser_like(oracle, {"t3.new.total": 80, "t4.review.total": 3})
    after = make_extractor().reextract(doc, before, ["t3.new.total", "t4.review.total"])

    calls = server.chat_requests
    assert len(calls) == 1
    assert asked_rows(calls[0]) == ["t3.new", "t4.review"]
    assert "flagged cells in these rows" in calls[0].last_user
    assert after.report.cells == oracle.gold.cells
    assert after.provenance["t3.new.total"].extractor == "llm:test-model"
    assert after.provenance["t3.new.total"].method == "reextracted"
    assert after.provenance["t3.new.total"].span is not None
    assert after.provenance["t3.new.natural"].extractor == "parser"  # not asked, not touched
    assert after.flags == []
    assert after.usage["calls"] == 1
    assert before.report.cells["t3.new.total"] == 80  # the input is not modified


def test_bulk_records_a_failed_report_and_carries_on(server, tmp_path) -> None:
    docs = [document("seed-004"), document("seed-003"), document("seed-000")]
    from tests.llm.oracle import Oracle

    oracles = {"seed-004": Oracle.for_stem("seed-004"), "seed-003": Oracle.for_stem("seed-003")}

    def respond(request):
        for oracle in oracles.values():
            if oracle.mine(request):
                return oracle.reply(request)
        return error(500, "this report always fails")

    server.responder = respond
    began = time.monotonic()
    results = extract_many(
        docs,
        jobs=2,
        rate_per_minute=1200,  # one request start every 50 ms across both workers
        base_url=server.url,
        api_key=TEST_KEY,
        model="test-model",
        cache_dir=tmp_path / "cache",
        retry=FAST_RETRY,
        prompt_version="v1",  # the per-part requests this test scripts
    )
    assert [r.name for r in results] == ["seed-004.txt", "seed-003.txt", "seed-000.txt"]
    assert results[0].ok and results[1].ok and not results[2].ok
    assert results[0].extraction.report.cells == oracles["seed-004"].gold.cells
    assert results[1].extraction.report.cells == oracles["seed-003"].gold.cells
    assert results[2].error == f"LLM endpoint {server.url} failed 5 times (last: HTTP 500)"
    # the limiter starts requests (retries included) at least 50 ms apart across workers
    assert time.monotonic() - began >= 0.05 * (len(server.chat_requests) - 1)
    failing = [r for r in server.chat_requests if respond(r).status == 500]
    assert len(failing) == 5


def test_bulk_stops_on_a_backend_error(server, tmp_path) -> None:
    server.responder = lambda request: error(401, "bad key")
    with pytest.raises(BackendError, match="HTTP 401"):
        extract_many(
            [document("seed-004"), document("seed-003")],
            jobs=1,
            base_url=server.url,
            api_key=TEST_KEY,
            cache_dir=tmp_path / "cache",
        )
    assert len(server.chat_requests) == 1


def test_config_file_environment_and_options(tmp_path, monkeypatch) -> None:
    path = tmp_path / "nianbao.toml"
    path.write_text(
        """
[llm]
base_url = "http://127.0.0.1:9/v1"
model = "qwen-plus"
split = "rows:8"
max_reasks = 1

[llm.retry]
attempts = 3
initial_wait = 0.5

[llm.prices.qwen-plus]
input = 0.4
output = 1.2
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("NIANBAO_CONFIG", str(path))
    cfg = load_config()
    assert cfg.model == "qwen-plus" and cfg.split == "rows:8" and cfg.max_reasks == 1
    assert cfg.retry.attempts == 3 and cfg.retry.initial_wait == 0.5 and cfg.retry.jitter == 1.0
    assert cfg.prices["qwen-plus"] == (0.4, 1.2) and "gpt-4o-mini" in cfg.prices
    assert str(tmp_path / "cache") == str(cfg.cache_dir)  # NIANBAO_CACHE_DIR (conftest)
    monkeypatch.setenv("NIANBAO_MODEL", "deepseek-chat")
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    cfg = load_config()
    assert cfg.model == "deepseek-chat" and cfg.api_key == TEST_KEY
    assert TEST_KEY not in repr(cfg)  # the key never shows in a repr or a log line
    assert load_config(model="x").model == "x"
    path.write_text("[llm]\nmodle = 'typo'\n", encoding="utf-8")
    with pytest.raises(BackendError, match="unknown LLM setting 'modle'"):
        load_config()
    with pytest.raises(BackendError, match="no such config file"):
        load_config(tmp_path / "missing.toml")


def test_the_registry_builds_the_llm_backend(server, tmp_path) -> None:
    extractor = get_extractor("llm", base_url=server.url, api_key=TEST_KEY, model="m")
    assert extractor.name == "llm" and extractor.version.endswith("+m")
    extractor.close()


def test_answers_that_stay_invalid_fail_the_report(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.script.append(oracle.reply)
    server.responder = lambda request: oracle.changed({"t2.rules": {"new_made": -1}})(request)
    with pytest.raises(LLMRequestError, match="stayed invalid after 3 tries"):
        make_extractor().extract(doc)
    assert len(server.chat_requests) == 4  # meta, then t2 three times
    assert "greater than or equal to 0" in server.chat_requests[2].last_user


def test_an_answer_cut_at_max_tokens_fails_the_report(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.script.append(oracle.reply)
    server.responder = lambda request: completion(
        '{"rows": [{"row": "t2.ru', finish_reason="length"
    )
    with pytest.raises(LLMRequestError, match="cut off at max_tokens=4096"):
        make_extractor().extract(doc)


def test_the_rate_limiter_spaces_starts_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from extractor.llm.ratelimit import RateLimiter

    limiter = RateLimiter(600)  # one start every 0.1 s
    starts: list[float] = []

    def start(_: int) -> None:
        limiter.acquire()
        starts.append(time.monotonic())

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(start, range(6)))
    starts.sort()
    assert starts[-1] - starts[0] >= 0.5 - 0.01
    assert RateLimiter(None).acquire() == 0.0
