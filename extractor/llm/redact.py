"""URLs with their credentials taken out, wherever the LLM endpoint is shown, logged or stored.

Some gateways take credentials in the base URL itself: `http://user:secret@host/v1` or
`https://host/v1?api-key=secret`. The client needs the URL whole; everything a person or a
file sees gets `redact_url`: the userinfo and every query value become `***`. The HTTP
libraries log request URLs themselves (httpx at INFO, openai at DEBUG), so their records are
redacted as they are made.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

MASK = "***"
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
# Loggers of the libraries that talk to the endpoint (and their children).
LIBRARY_LOGGERS = ("httpx", "httpcore", "openai", "instructor", "urllib3")


def redact_url(url: str) -> str:
    """`url` without credentials: userinfo and query values replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _URL.sub(MASK, url)
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    query = "&".join(
        (pair.split("=", 1)[0] + "=" + MASK) if "=" in pair else MASK
        for pair in parts.query.split("&")
        if pair
    )
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, ""))


def redact_text(text: str) -> str:
    """`text` with every URL in it redacted."""
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


def _redact_record(record: logging.LogRecord) -> logging.LogRecord:
    if not record.name.startswith(LIBRARY_LOGGERS):  # httpx2, httpcore2: the vendored forks
        return record
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a malformed call: leave it to logging's own report
        return record
    record.msg, record.args = redact_text(message), None
    if record.exc_info and record.exc_info[0] is not None:
        # the exception's text (httpx names the URL); formatters use exc_text when it is set
        shown = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact_text(shown)
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)
    return record


def install_log_redaction() -> None:
    """Redact URLs in every record the HTTP libraries log (idempotent, process-wide).

    A record factory, not a filter: a filter on `openai` would miss `openai._base_client`.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_urls", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _redact_record(current(*args, **kwargs))

    factory.redacts_urls = True
    logging.setLogRecordFactory(factory)
