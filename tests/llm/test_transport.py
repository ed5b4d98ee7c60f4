"""Retries, errors and the cache, against the local server: what is sent, when, how often."""

from __future__ import annotations

import itertools
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import openai
import pytest

from extractor.llm import LLMExtractor, RetryPolicy
from extractor.llm.client import retry_after
from nianbao.core.errors import BackendError, LLMRequestError
from tests.llm.conftest import TEST_KEY
from tests.llm.fake_openai_server import Reply, delayed, error


def gaps(server) -> list[float]:
    times = [r.at for r in server.chat_requests]
    return [b - a for a, b in itertools.pairwise(times)]


def test_429_waits_as_long_as_retry_after_says(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.script.append(error(429, "slow down", retry_after="1"))
    server.responder = oracle.reply
    extraction = make_extractor().extract(doc)

    assert extraction.report.cells == oracle.gold.cells
    assert len(server.chat_requests) == 5  # the 429, then meta, t2, t3, t4
    # the policy's own first wait is 0.05 s: only Retry-After explains a 1 s pause (no upper
    # bound tighter than "not stuck": a loaded machine may add seconds of its own)
    assert 1.0 <= gaps(server)[0] < 30
    assert extraction.usage["retries"] == 1
    assert extraction.usage["calls"] == 4


def _status_error(status: int, **headers: str) -> openai.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(status, headers=headers, request=request)
    return openai.APIStatusError("scripted", response=response, body=None)


def test_retry_after_as_seconds_or_an_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    when = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert retry_after(_status_error(429, **{"retry-after": when}), now=now) == pytest.approx(7.0)
    assert retry_after(_status_error(503, **{"retry-after": "3"})) == 3.0
    assert retry_after(_status_error(429, **{"retry-after-ms": "250"})) == 0.25
    assert retry_after(_status_error(503)) is None
    assert retry_after(_status_error(503, **{"retry-after": "soon"})) is None


def test_a_timeout_is_retried(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.script.append(delayed(oracle.reply, 60))  # an answer far beyond any machine's lag
    server.responder = oracle.reply
    extraction = make_extractor(timeout=0.5).extract(doc)

    assert extraction.report.cells == oracle.gold.cells
    assert len(server.chat_requests) == 5  # the timed-out meta request, then four
    # gave up and asked again long before the answer came; no lower bound: the client's
    # clock starts before the server's, so a loaded machine can show a gap under 0.5 s
    assert gaps(server)[0] < 60
    assert extraction.usage["retries"] == 1 and extraction.usage["calls"] == 4


def test_a_dropped_connection_is_retried(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.script.append(Reply(drop=True))
    server.responder = oracle.reply
    extraction = make_extractor().extract(doc)
    assert extraction.report.cells == oracle.gold.cells
    assert len(server.chat_requests) == 5 and extraction.usage["retries"] == 1


def test_401_is_one_call_and_one_line(server, make_extractor, seed4) -> None:
    doc, _ = seed4
    server.responder = lambda request: error(401, "Incorrect API key provided")
    with pytest.raises(BackendError) as caught:
        make_extractor().extract(doc)

    assert len(server.chat_requests) == 1  # no retry on 401
    message = str(caught.value)
    assert "\n" not in message and "HTTP 401" in message and server.url in message
    assert TEST_KEY not in message
    assert server.chat_requests[0].headers["authorization"] == f"Bearer {TEST_KEY}"


def test_400_is_not_retried(server, make_extractor, seed4) -> None:
    doc, _ = seed4
    server.responder = lambda request: error(400, "context too long")
    with pytest.raises(LLMRequestError, match="HTTP 400"):
        make_extractor().extract(doc)
    assert len(server.chat_requests) == 1


def test_five_500s_retry_with_growing_waits_then_fail(server, make_extractor, seed4) -> None:
    doc, _ = seed4
    server.responder = lambda request: error(500, "upstream broke")
    policy = RetryPolicy(attempts=5, initial_wait=0.1, max_wait=5.0, jitter=0.005)
    with pytest.raises(LLMRequestError) as caught:
        make_extractor(retry=policy).extract(doc)

    assert len(server.chat_requests) == 5  # the policy's five attempts
    message = str(caught.value)
    assert message == f"LLM endpoint {server.url} failed 5 times (last: HTTP 500)"
    waits = gaps(server)
    # planned: 0.1, 0.2, 0.4, 0.8 s (+ up to 5 ms jitter); a busy machine only adds to a gap
    assert all(gap >= 0.1 * 2**n for n, gap in enumerate(waits))
    assert waits[-1] > 2.5 * waits[0] and waits[-1] < 3.0


def test_the_planned_waits_double_and_honour_retry_after(server, make_extractor) -> None:
    server.script.extend([error(500), error(503), error(429, retry_after="0.3"), error(502)])
    server.responder = lambda request: error(500)
    policy = RetryPolicy(attempts=5, initial_wait=0.01, max_wait=5.0, jitter=0.0)
    session = make_extractor(retry=policy).endpoint.session()
    with pytest.raises(LLMRequestError, match="failed 5 times"):
        session.create(model="test-model", messages=[{"role": "user", "content": "hi"}])
    assert session.counters.retries == 4 and session.counters.calls == 0
    assert session.counters.waits == pytest.approx([0.01, 0.02, 0.3, 0.08])


def test_second_run_is_served_from_the_cache(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.script.extend([oracle.reply, oracle.reply, oracle.changed({"t3.new": {"total": 9}})])
    server.responder = oracle.reply
    first = make_extractor().extract(doc)
    made = len(server.chat_requests)
    assert made == 5 and first.usage["calls"] == 5

    second = make_extractor().extract(doc)  # a new extractor, the same cache directory
    assert len(server.chat_requests) == made  # zero calls
    assert second.usage["calls"] == 0 and second.usage["cached_calls"] == 5
    assert second.usage["input_tokens"] == 0 and second.usage["cost_usd"] == 0
    assert second.report.cells == first.report.cells == oracle.gold.cells


def test_no_cache_and_a_new_model_miss_the_cache(server, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.responder = oracle.reply
    make_extractor().extract(doc)
    assert len(server.chat_requests) == 4
    make_extractor(no_cache=True).extract(doc)
    assert len(server.chat_requests) == 8
    other = make_extractor(model="other-model").extract(doc)
    assert len(server.chat_requests) == 12  # the model is in the key
    assert other.extractor_version.endswith("+other-model")
    make_extractor(temperature=0.5).extract(doc)
    assert len(server.chat_requests) == 16  # so are the sampling settings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_closed_port_is_a_one_line_backend_error(tmp_path, seed4) -> None:
    doc, _ = seed4
    url = f"http://127.0.0.1:{closed_port()}/v1"
    extractor = LLMExtractor(base_url=url, api_key=TEST_KEY, cache_dir=tmp_path)
    with pytest.raises(BackendError) as caught:
        extractor.extract(doc)
    assert str(caught.value) == f"cannot reach the LLM endpoint {url} (connection failed)"


def test_a_missing_key_is_a_backend_error() -> None:
    with pytest.raises(BackendError, match="OPENAI_API_KEY"):
        LLMExtractor()
