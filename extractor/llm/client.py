"""The one way a request reaches the endpoint: cache, rate limit, retries, accounting.

instructor drives structured output and its own validation re-asks; every HTTP call it
makes goes through `Session.create`, which serves cached answers, waits for the rate
limiter, retries 429 / 5xx / timeouts with tenacity (the openai client's retries are off)
and counts tokens. Errors leave as `BackendError` (the backend cannot work) or
`LLMRequestError` (this report failed), each with a one-line message.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from extractor.llm.batchbook import BatchBook
from extractor.llm.cache import AnswerCache, cache_key
from extractor.llm.config import LLMConfig
from extractor.llm.ratelimit import RateLimiter
from extractor.llm.redact import install_log_redaction
from nianbao.core.errors import (
    DEFERRED_MESSAGE,
    AnswerCutOff,
    BackendError,
    Deferred,
    LLMRequestError,
)
from nianbao.core.limits import (
    Breaker,
    Cancelled,
    CircuitOpen,
    DeadlineExceeded,
    check_deadline,
    deadline_in,
    remaining,
)

# instructor logs each failed call at ERROR; without a handler Python would print it on
# stderr, breaking the CLI's one-line errors. Users who configure logging still see it.
logging.getLogger("instructor").addHandler(logging.NullHandler())


def _not_deferred(record: logging.LogRecord) -> bool:
    """instructor logs every exception from a call at ERROR, a batch run's Deferred too:
    that is no failure (see nianbao.core.errors.Deferred), so it is left out."""
    return DEFERRED_MESSAGE not in record.getMessage()


for _name in ("instructor.v2.retry", "instructor.core.retry", "instructor.retry"):
    logging.getLogger(_name).addFilter(_not_deferred)
# httpx and openai log request URLs, which may carry credentials (see extractor.llm.redact).
install_log_redaction()

WAIT_SLICE = 0.1  # seconds between looks at the stop flag and the deadline during a request


def is_refused(exc: BaseException) -> bool:
    """No connection could be made (closed port, unknown host): a setting to fix, not to retry."""
    return isinstance(exc, openai.APIConnectionError) and isinstance(
        exc.__cause__, httpx2.ConnectError
    )


def is_retryable(exc: BaseException) -> bool:
    """429, 5xx, timeouts and dropped connections are worth another try; 4xx and refusals not."""
    if isinstance(exc, openai.APITimeoutError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError) and not is_refused(exc)


def retry_after(exc: BaseException | None, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait (Retry-After: seconds or HTTP date), if it did."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    if ms := headers.get("retry-after-ms"):
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def describe(exc: BaseException) -> str:
    """A short, key-free description of a failed request."""
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    return exc.__class__.__name__


@dataclass
class Counters:
    """What one report's requests cost; becomes `Extraction.usage`."""

    calls: int = 0  # HTTP requests answered (cache hits excluded)
    cached_calls: int = 0
    retries: int = 0
    reasks: int = 0  # identity re-asks (validation re-asks are counted in calls)
    input_tokens: int = 0
    cached_input_tokens: int = 0  # of input_tokens, served from the provider's prompt cache
    output_tokens: int = 0
    waits: list[float] = field(default_factory=list)  # seconds slept before each retry
    # the part of calls and tokens answered through the provider's batch interface
    batch_calls: int = 0
    batch_input_tokens: int = 0
    batch_output_tokens: int = 0

    def as_usage(self, cfg: LLMConfig, seconds: float) -> dict[str, float]:
        price_in, price_out = cfg.prices.get(cfg.model, (0.0, 0.0))
        share = cfg.batch_discount.get(cfg.model, 1.0)  # batches are billed at this share
        sync_in = self.input_tokens - self.batch_input_tokens
        sync_out = self.output_tokens - self.batch_output_tokens
        cost = (sync_in * price_in + sync_out * price_out) / 1_000_000
        cost += (
            share
            * (self.batch_input_tokens * price_in + self.batch_output_tokens * price_out)
            / 1_000_000
        )
        usage: dict[str, float] = {
            "calls": self.calls,
            "cached_calls": self.cached_calls,
            "retries": self.retries,
            "reasks": self.reasks,
            "input_tokens": self.input_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(cost, 6),
            "seconds": round(seconds, 3),
        }
        if self.batch_calls:
            usage["batch_calls"] = self.batch_calls
        return usage


class Endpoint:
    """The configured OpenAI-compatible endpoint, shared by every report of a run."""

    def __init__(self, cfg: LLMConfig, limiter: RateLimiter | None = None) -> None:
        self.cfg = cfg
        self.client = openai.OpenAI(
            api_key=cfg.require_key(),
            base_url=cfg.base_url,
            timeout=cfg.timeout,
            max_retries=0,  # tenacity below is the one retry policy
        )
        self.cache = None if cfg.no_cache else AnswerCache(cfg.cache_dir)
        self.limiter = limiter or RateLimiter(None)
        self.stopped = threading.Event()  # set by cancel(): no thread sends another request
        self.breaker = Breaker(cfg.breaker)
        # batch mode (`nianbao run --batch`): answers come from the provider's batch output,
        # and a request without one raises Deferred instead of being sent (see batchbook)
        self.batch: BatchBook | None = None

    def session(self) -> Session:
        return Session(self)

    def cancel(self) -> None:
        """Stop every thread's requests (Ctrl-C): none is sent or retried after this, and the
        connections are closed so requests in flight end now."""
        self.stopped.set()
        self.client.close()

    def unavailable(self) -> str | None:
        """Why no request should be sent now (stopped, or the circuit is open), else None."""
        if self.stopped.is_set():
            return "the run was stopped"
        if self.breaker.open:
            return (
                f"not done: the LLM endpoint {self.cfg.shown_url} failed {self.breaker.threshold} "
                "times in a row, so the run stopped asking it (the next run resumes)"
            )
        return None

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        self.client.close()


class Session:
    """One report's requests: shares the endpoint, keeps its own counters."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.cfg = endpoint.cfg
        self.counters = Counters()
        import instructor  # here, not at module top: instructor is slow to import

        self._pending: tuple[str, dict[str, Any]] | None = None  # the last uncached answer
        self._mode = instructor.Mode.JSON if self.cfg.mode == "json" else instructor.Mode.TOOLS
        self._structured = instructor.patch(create=self.create, mode=self._mode)

    # -- raw requests -------------------------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        policy = self.cfg.retry
        asked = retry_after(exc)
        if asked is not None:
            wait = asked
        else:
            wait = policy.initial_wait * 2 ** (state.attempt_number - 1)
            wait += random.uniform(0, policy.jitter)
        return min(wait, policy.max_wait)

    def _before_sleep(self, state: RetryCallState) -> None:
        self.counters.retries += 1
        if state.next_action is not None:
            self.counters.waits.append(state.next_action.sleep)

    def _send(self, request: dict[str, Any]) -> ChatCompletion:
        self._may_ask()
        self.endpoint.limiter.acquire()
        self._may_ask()
        timeout = self.cfg.timeout
        left = remaining()
        if left is not None:
            timeout = max(0.01, min(timeout, left))  # the request ends with the file's time
        try:
            answer = self._interruptible(request, timeout)
        except openai.APIError as exc:
            if is_retryable(exc):
                self.endpoint.breaker.failure()
            raise
        self.endpoint.breaker.success()
        return answer

    def _interruptible(self, request: dict[str, Any], timeout: float) -> ChatCompletion:
        """The HTTP call on a helper thread, so a stop (Ctrl-C) or the file's deadline ends
        the wait at once: an HTTP read cannot be interrupted from another thread, so the
        abandoned call finishes (or times out) in the background and its answer is dropped."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def call() -> None:
            try:
                box["answer"] = self.endpoint.client.chat.completions.create(
                    **request, timeout=timeout
                )
            except BaseException as exc:  # handed to the waiting thread
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=call, name="llm-request", daemon=True).start()
        while not done.wait(WAIT_SLICE):
            if self.endpoint.stopped.is_set():
                raise Cancelled("the run was stopped")
            check_deadline()
        if "error" in box:
            raise box["error"]
        return box["answer"]

    def _may_ask(self) -> None:
        """Raise instead of asking when the run stopped, the circuit is open or time is up."""
        if self.endpoint.stopped.is_set():
            raise Cancelled("the run was stopped")
        if (why := self.endpoint.unavailable()) is not None:
            raise CircuitOpen(why)
        check_deadline()

    def _retry(self, exc: BaseException) -> bool:
        """Retry a retryable failure unless the run stopped, the circuit opened or time is up."""
        if not is_retryable(exc) or deadline_in(exc) is not None:
            return False
        left = remaining()
        return self.endpoint.unavailable() is None and (left is None or left > 0)

    def _sleep(self, seconds: float) -> None:
        left = remaining()
        if left is not None:
            seconds = min(seconds, max(0.0, left))
        if self.endpoint.stopped.wait(seconds):
            raise Cancelled("the run was stopped")

    def create(self, **request: Any) -> ChatCompletion:
        """One chat completion: from the cache, or from the endpoint with retries (in batch
        mode: from the batch's answers first, so a batch answer a replay finds again in the
        cache is still counted as the batch call it was, then the cache, else Deferred)."""
        cache = self.endpoint.cache
        key = cache_key(
            request,
            prompt_version=self.cfg.prompt_version,
            model=self.cfg.model,
            mode=self.cfg.mode,
        )
        book = self.endpoint.batch
        if book is not None and book.answer(key) is not None:
            return self._from_batch(book, key, request)
        if cache is not None and (body := cache.get(key)) is not None:
            self.counters.cached_calls += 1
            return ChatCompletion.model_validate(body)
        if book is not None:
            return self._from_batch(book, key, request)
        retrying = Retrying(
            stop=stop_after_attempt(self.cfg.retry.attempts),
            wait=self._wait,
            retry=retry_if_exception(self._retry),
            before_sleep=self._before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            completion: ChatCompletion = retrying(self._send, request)
        except openai.APIError as exc:
            raise self._translate(exc) from None
        self.counters.calls += 1
        if completion.usage is not None:
            self.counters.input_tokens += completion.usage.prompt_tokens
            self.counters.output_tokens += completion.usage.completion_tokens
            details = completion.usage.prompt_tokens_details  # OpenAI, DeepSeek: cache hits
            if details is not None and details.cached_tokens:
                self.counters.cached_input_tokens += details.cached_tokens
        # cached only once instructor has validated it (see `ask`): an invalid answer is
        # never served again
        self._pending = (key, completion.model_dump(mode="json"))
        return completion

    def _from_batch(self, book: BatchBook, key: str, request: dict[str, Any]) -> ChatCompletion:
        """The batch's answer to this exact request; Deferred when it has none yet (the run
        sends it in its next batch); LLMRequestError when its line failed."""
        body = book.answer(key)  # raises LLMRequestError for a failed line
        if body is None:
            raise Deferred(key, request)
        completion = ChatCompletion.model_validate(body)
        self.counters.calls += 1
        self.counters.batch_calls += 1
        if completion.usage is not None:
            self.counters.input_tokens += completion.usage.prompt_tokens
            self.counters.output_tokens += completion.usage.completion_tokens
            self.counters.batch_input_tokens += completion.usage.prompt_tokens
            self.counters.batch_output_tokens += completion.usage.completion_tokens
        self._pending = (key, body)  # cached once validated, as a synchronous answer
        return completion

    def _translate(self, exc: openai.APIError) -> Exception:
        if (inner := deadline_in(exc)) is not None:
            return inner
        if self.endpoint.stopped.is_set():
            return Cancelled("the run was stopped")
        if (why := self.endpoint.unavailable()) is not None:
            return CircuitOpen(why)
        left = remaining()
        if isinstance(exc, openai.APITimeoutError) and left is not None and left <= 0.05:
            return DeadlineExceeded("gave up: the file's time ran out (the next run tries again)")
        url = self.cfg.shown_url  # never the credentials a base URL may carry
        tries = self.cfg.retry.attempts
        if isinstance(exc, openai.APIStatusError):
            code = exc.status_code
            if code in (401, 403):
                return BackendError(f"LLM endpoint {url} refused the API key (HTTP {code})")
            if code == 404:
                return BackendError(
                    f"LLM endpoint {url} answered HTTP 404: check the base URL and the model "
                    f"name {self.cfg.model!r}"
                )
            if is_retryable(exc):
                return LLMRequestError(
                    f"LLM endpoint {url} failed {tries} times (last: HTTP {code})"
                )
            return LLMRequestError(f"LLM endpoint {url} rejected the request (HTTP {code})")
        if isinstance(exc, openai.APITimeoutError):
            return LLMRequestError(
                f"LLM endpoint {url} timed out {tries} times ({self.cfg.timeout:g}s each)"
            )
        if is_refused(exc):
            return BackendError(f"cannot reach the LLM endpoint {url} (connection failed)")
        if isinstance(exc, openai.APIConnectionError):
            return LLMRequestError(f"LLM endpoint {url} dropped the connection {tries} times")
        return LLMRequestError(f"LLM endpoint {url}: {describe(exc)}")

    # -- structured requests ------------------------------------------------------------------
    def _forget_pending(self) -> None:
        # a method, not an inline assignment: the transport callback sets it during the call
        self._pending = None

    def ask(self, response_model: type[BaseModel], messages: list[dict[str, Any]]) -> BaseModel:
        """A validated answer; instructor re-asks on invalid JSON or failed validation."""
        from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException

        self._forget_pending()
        try:
            answer = self._structured(
                model=self.cfg.model,
                messages=messages,
                response_model=response_model,
                max_retries=self.cfg.validation_retries,
                **self.cfg.sampling,
            )
            cache = self.endpoint.cache
            if cache is not None and self._pending is not None:
                cache.put(*self._pending)  # the answer that validated, and only it
            return answer
        except IncompleteOutputException:
            raise AnswerCutOff(
                f"the model's answer for {response_model.__name__} was cut off at "
                f"max_tokens={self.cfg.max_tokens}: raise max_tokens or use a finer split"
            ) from None
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, (BackendError, LLMRequestError, Deferred)):
                raise cause from None
            detail = _first_error(cause)
            raise LLMRequestError(
                f"the model's answer for {response_model.__name__} stayed invalid after "
                f"{self.cfg.validation_retries + 1} tries: {detail}"
            ) from None


def _first_error(exc: BaseException | None) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return "invalid JSON" if exc is not None else "unknown error"
