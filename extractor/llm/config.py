"""Settings of the LLM backend: endpoint, model, sampling, retries, cache, prices.

Precedence: explicit options > environment (`OPENAI_BASE_URL`, `OPENAI_API_KEY`,
`NIANBAO_MODEL`, `NIANBAO_CACHE_DIR`, `NIANBAO_NO_CACHE=1`) > the TOML file (`NIANBAO_CONFIG`
or the `config` option, table `[llm]`) > defaults. The key is never written anywhere, nor
the credentials a base URL may carry (`shown_url`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from extractor.llm.redact import redact_url
from nianbao.core.errors import BackendError

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"

# USD per 1M tokens (input, output); the config's [llm.prices] table extends or overrides it.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "deepseek-chat": (0.27, 1.10),
}
# Share of the price paid for tokens sent through the provider's batch interface (OpenAI and
# most OpenAI-compatible providers bill batches at 50%); `batch = 0.5` in a [llm.prices.X]
# row sets it per model. A model without one pays full price in batches too.
DEFAULT_BATCH_DISCOUNT: dict[str, float] = {
    "gpt-4o-mini": 0.5,
    "gpt-4o": 0.5,
    "gpt-4.1-mini": 0.5,
}


def default_cache_dir() -> Path:
    """Under the user cache dir ($XDG_CACHE_HOME or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nianbao" / "llm"


@dataclass(frozen=True)
class RetryPolicy:
    """The ONE retry policy (the openai client's own retries are off)."""

    attempts: int = 5  # total tries of one request, the first included
    initial_wait: float = 1.0  # seconds before the first retry; doubles each time
    max_wait: float = 60.0  # cap on one wait, Retry-After included
    jitter: float = 1.0  # + uniform(0, jitter) seconds


@dataclass(frozen=True)
class LLMConfig:
    """Everything that decides how the LLM is called (and so what goes into cache keys)."""

    # May carry credentials (user:secret@, ?api-key=): shown only as `shown_url`.
    base_url: str = field(default=DEFAULT_BASE_URL, repr=False)
    api_key: str | None = field(default=None, repr=False)
    model: str = DEFAULT_MODEL
    temperature: float = 0.0
    seed: int | None = 0
    max_tokens: int = 4096
    timeout: float = 120.0  # seconds per request
    mode: str = "json"  # instructor mode: "json" (json_object) or "tools"
    split: str = "parts"  # how a report is cut into requests: see extractor.llm.units
    trim: bool = True  # send only the text around the tables (extractor.llm.sections)
    prompt_version: str = "v3"  # v2 on: one compact request per report (extractor.llm.compact)
    validation_retries: int = 2  # instructor's re-asks on invalid JSON / validation errors
    max_reasks: int = 2  # rounds of identity re-asks
    breaker: int = 25  # consecutive failed attempts (5xx, 429, timeouts): the run stops asking
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cache_dir: Path = field(default_factory=default_cache_dir)
    no_cache: bool = False
    prices: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    batch_discount: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_BATCH_DISCOUNT))
    # `nianbao run --batch`: seconds before the first look at a submitted batch, doubling to
    # at most batch_poll_max (a provider takes minutes to hours; tests use a tiny interval)
    batch_poll: float = 30.0
    batch_poll_max: float = 600.0
    batch_rounds: int = 12  # at most this many rounds of batches per run (reads, re-asks)
    batch_max_lines: int = 50_000  # one batch's limits (OpenAI: 50,000 requests, 200 MB);
    batch_max_mb: float = 190.0  # a round with more goes out as several batches

    @property
    def shown_url(self) -> str:
        """The base URL as it may be printed, logged or stored: credentials as ***."""
        return redact_url(self.base_url)

    @property
    def sampling(self) -> dict[str, Any]:
        """The sampling settings sent with every request (and part of every cache key)."""
        out: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.seed is not None:
            out["seed"] = self.seed
        return out

    def require_key(self) -> str:
        if not self.api_key:
            raise BackendError(
                "no API key for the LLM backend: set OPENAI_API_KEY (or api_key in the "
                "[llm] table of the file named by NIANBAO_CONFIG)"
            )
        return self.api_key


_SIMPLE = {f.name for f in fields(LLMConfig)} - {
    "retry",
    "prices",
    "cache_dir",
    "api_key",
    "batch_discount",
}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise BackendError(f"{path}: no such config file") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BackendError(f"{path}: not a readable TOML config ({exc})") from None
    table = data.get("llm", {})
    if not isinstance(table, dict):
        raise BackendError(f"{path}: [llm] must be a table")
    return table


def _apply(cfg: LLMConfig, values: dict[str, Any], origin: str) -> LLMConfig:
    """Overlay a dict of settings (from TOML or options) on a config; unknown names are errors."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name in _SIMPLE:
            changes[name] = value
        elif name == "api_key":
            changes["api_key"] = str(value)
        elif name == "cache_dir":
            changes["cache_dir"] = Path(value).expanduser()
        elif name == "retry":
            if isinstance(value, RetryPolicy):
                changes["retry"] = value
            elif isinstance(value, dict):
                try:
                    changes["retry"] = replace(cfg.retry, **value)
                except TypeError as exc:
                    raise BackendError(f"{origin}: bad [llm.retry] ({exc})") from None
            else:
                raise BackendError(f"{origin}: retry must be a table")
        elif name == "prices":
            prices = dict(cfg.prices)
            discount = dict(changes.get("batch_discount", cfg.batch_discount))
            try:
                for model, row in value.items():
                    if isinstance(row, dict):
                        prices[model] = (float(row["input"]), float(row["output"]))
                        if "batch" in row:
                            discount[model] = float(row["batch"])
                    else:
                        prices[model] = (float(row[0]), float(row[1]))
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):
                raise BackendError(
                    f"{origin}: prices must map a model to {{input = USD/1M, output = USD/1M"
                    ", batch = share of the price paid in batches (optional)}"
                ) from None
            if any(not 0 <= d <= 1 for d in discount.values()):
                raise BackendError(f"{origin}: a price's batch share must be from 0 to 1")
            changes["prices"] = prices
            changes["batch_discount"] = discount
        elif name == "batch_discount":
            changes["batch_discount"] = {str(k): float(v) for k, v in dict(value).items()}
        else:
            raise BackendError(f"{origin}: unknown LLM setting {name!r}")
    try:
        return replace(cfg, **changes)
    except TypeError as exc:  # pragma: no cover - names are checked above
        raise BackendError(f"{origin}: {exc}") from None


def load_config(config: str | Path | None = None, **options: Any) -> LLMConfig:
    """The effective settings: defaults < TOML file < environment < options."""
    cfg = LLMConfig()
    path = config or os.environ.get("NIANBAO_CONFIG")
    if path:
        cfg = _apply(cfg, _read_toml(Path(path)), str(path))
    env = {
        "base_url": os.environ.get("OPENAI_BASE_URL"),
        "api_key": os.environ.get("OPENAI_API_KEY"),
        "model": os.environ.get("NIANBAO_MODEL"),
        "cache_dir": os.environ.get("NIANBAO_CACHE_DIR"),
    }
    cfg = _apply(cfg, {k: v for k, v in env.items() if v}, "environment")
    if os.environ.get("NIANBAO_NO_CACHE", "").strip().lower() in ("1", "true", "yes"):
        cfg = replace(cfg, no_cache=True)
    cfg = _apply(cfg, options, "options")
    if cfg.mode not in ("json", "tools"):
        raise BackendError(f"LLM mode {cfg.mode!r}: expected 'json' or 'tools'")
    if cfg.retry.attempts < 1:
        raise BackendError("retry.attempts must be at least 1")
    if not (cfg.batch_poll > 0 and cfg.batch_poll_max >= cfg.batch_poll and cfg.batch_rounds >= 1):
        raise BackendError("batch_poll must be > 0, batch_poll_max >= it, batch_rounds >= 1")
    if cfg.batch_max_lines < 1 or not cfg.batch_max_mb > 0:
        raise BackendError("batch_max_lines must be >= 1 and batch_max_mb > 0")
    return cfg
