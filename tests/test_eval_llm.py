"""`nianbao eval` with the LLM in the loop, against the real local OpenAI-compatible server.

The model's answers come from the gold (tests/llm/oracle.py), so what is measured here is
the harness: LLM calls, tokens and cost reach the metrics, and `both` goes through
`nianbao.pipeline.reconcile` and is scored like any backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eval.cases import EvalCase, real_cases
from eval.harness import run_eval
from extractor.llm import RetryPolicy
from tests.llm.fake_openai_server import FakeOpenAI
from tests.llm.oracle import Oracle

STEM = "seed-004"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeOpenAI]:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "NIANBAO_MODEL", "NIANBAO_CONFIG"):
        monkeypatch.delenv(name, raising=False)  # never the developer's endpoint or key
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    fake = FakeOpenAI().start()
    fake.responder = Oracle.for_stem(STEM).reply
    yield fake
    fake.stop()


def _options(server: FakeOpenAI, tmp_path: Path) -> dict[str, object]:
    return {
        "base_url": server.url,
        "api_key": "sk-test-not-a-real-key-0123456789",
        "model": "test-model",
        "cache_dir": tmp_path / "cache",
        "prices": {"test-model": {"input": 1.0, "output": 4.0}},
    }


def _case() -> list[EvalCase]:
    return real_cases(only={STEM})


@pytest.mark.parametrize("backend", ["llm", "both"])
def test_llm_usage_and_reconciled_cells_reach_the_metrics(
    backend: str, server: FakeOpenAI, tmp_path: Path
) -> None:
    result, scores = run_eval(
        backend, "real", 0, 1, options=_options(server, tmp_path), cases=_case()
    )
    head = result["headline"]
    assert scores[0].error is None, scores[0].error
    assert head["cell_accuracy"] == 1.0 and head["silent_error_rate"] == 0.0
    assert head["llm_calls_per_report"] == len(server.chat_requests) >= 1  # one compact read
    assert head["input_tokens_per_report"] > 0 and head["output_tokens_per_report"] > 0
    assert head["cost_usd_per_report"] == pytest.approx(
        (head["input_tokens_per_report"] * 1.0 + head["output_tokens_per_report"] * 4.0) / 1e6,
        abs=1e-6,
    )
    assert result["config"]["backend"] == backend


def test_an_unreachable_endpoint_fails_each_report_and_the_run_goes_on(tmp_path: Path) -> None:
    options = {
        "base_url": "http://127.0.0.1:9/v1",  # discard port: nothing listens
        "api_key": "sk-test-not-a-real-key-0123456789",
        "model": "test-model",
        "cache_dir": tmp_path / "cache",
        "timeout": 1.0,
        "retry": RetryPolicy(attempts=2, initial_wait=0.01, max_wait=0.05, jitter=0.0),
    }
    result, scores = run_eval("llm", "real", 0, 1, options=options, cases=_case() * 2)
    assert result["headline"]["failed"] == 2 and result["headline"]["cell_accuracy"] == 0.0
    assert all(s.error for s in scores)
