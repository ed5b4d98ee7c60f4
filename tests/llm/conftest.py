"""Fixtures: a real local OpenAI-compatible server and extractors pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extractor.llm import LLMExtractor, RetryPolicy
from nianbao.core.document import SourceDocument
from tests.llm.fake_openai_server import FakeOpenAI
from tests.llm.oracle import REAL, Oracle

TEST_KEY = "sk-test-not-a-real-key-0123456789"
# Short waits so retry tests stay fast; the growth factor (x2 per retry) is the real one.
FAST_RETRY = RetryPolicy(attempts=5, initial_wait=0.05, max_wait=5.0, jitter=0.005)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's endpoint, key, config or cache."""
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "NIANBAO_MODEL", "NIANBAO_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def make_extractor(server: FakeOpenAI, tmp_path: Path) -> Iterator[Callable[..., LLMExtractor]]:
    made: list[LLMExtractor] = []

    def make(**options: Any) -> LLMExtractor:
        settings: dict[str, Any] = {
            "base_url": server.url,
            "api_key": TEST_KEY,
            "model": "test-model",
            "cache_dir": tmp_path / "cache",
            "retry": FAST_RETRY,
            "timeout": 5.0,
            "prices": {"test-model": {"input": 1.0, "output": 4.0}},
            # these tests script the per-part requests of prompts v1; test_compact.py covers v2
            "prompt_version": "v1",
        }
        settings.update(options)
        extractor = LLMExtractor(**settings)
        made.append(extractor)
        return extractor

    yield make
    for extractor in made:
        extractor.close()


def document(stem: str) -> SourceDocument:
    path = REAL / f"{stem}.txt"
    return SourceDocument.from_text(path.name, path.read_text("utf-8"))


@pytest.fixture
def seed4() -> tuple[SourceDocument, Oracle]:
    return document("seed-004"), Oracle.for_stem("seed-004")


@pytest.fixture
def seed3() -> tuple[SourceDocument, Oracle]:
    return document("seed-003"), Oracle.for_stem("seed-003")
