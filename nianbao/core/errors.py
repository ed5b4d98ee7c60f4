"""The one error hierarchy: every error a user can act on derives from `NianbaoError`.

The CLI prints any `NianbaoError` as one line (`nianbao: <message>`) and exits with its
`exit_code`; a bulk run records it as that file's failure and goes on. Anything else that
escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class NianbaoError(Exception):
    """The root: an error a user can act on, printed as one line, never as a traceback."""

    exit_code = 2


class UserError(NianbaoError):
    """Bad input or configuration given on the command line."""


class CanonicalError(NianbaoError, ValueError):
    """A canonical report that does not fit its template: says which keys are wrong.

    Also a ValueError, so that pydantic turns it into a validation error inside a model.
    """


class ExtractorError(NianbaoError):
    """A report that could not be extracted."""


class SourceError(ExtractorError):
    """A file that is no readable annual report: the message names the file and the reason."""


class SeveralReportsError(SourceError):
    """A file that holds more than one report (part 三 printed twice, other numbers)."""


class BackendError(ExtractorError):
    """A backend that cannot work: missing key, unreachable endpoint, bad configuration."""


class LLMRequestError(ExtractorError):
    """A report the endpoint could not answer: retries exhausted, a 400, or invalid answers.

    A bulk run records it as that report's failure and carries on; `BackendError` (bad key,
    unreachable endpoint) stops the run, since every other report would fail the same way.
    """


class AnswerCutOff(LLMRequestError):
    """The model's answer stopped at max_tokens: fewer rows per request may fit (the caller
    splits the request; when it cannot, the report fails with this message)."""


DEFERRED_MESSAGE = "waiting for the batch answer to request"


class Deferred(ExtractorError):
    """A request whose answer is not known yet: a batch run sends it in its next batch.

    Raised by the LLM client in batch mode instead of calling the endpoint; `key` is the
    request's digest (the answer cache's key) and `request` the exact body the synchronous
    path would have sent, so the batch line is that request and nothing else.
    """

    def __init__(self, key: str, request: dict[str, object]) -> None:
        super().__init__(f"{DEFERRED_MESSAGE} {key[:12]}")
        self.key = key
        self.request = request
