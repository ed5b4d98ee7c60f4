"""The task queue: Dramatiq on Redis, one queue, one actor (`process_job`).

Dramatiq rather than Celery: one small library with a single delivery model that fits this
job exactly: a message is acknowledged only after its actor returns (acks late), a worker
that dies leaves its unacknowledged messages to be moved back to the queue once its
heartbeat is missed, and the Retries middleware retries an actor that raised. Celery needs
`acks_late`, `reject_on_worker_lost` and visibility-timeout tuning to say the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.middleware import CurrentMessage

from nianbao.service.settings import Settings

QUEUE = "nianbao-jobs"
ACTOR = "process_job"
RETRIES = 1  # an attempt that raised (the store was unreachable, say) is retried once
RETRY_BACKOFF_MS = 2_000
# Every broker command checks for dead workers: the check is one sorted-set range on a set
# as large as the number of workers, and a dead worker's report is back in the queue within
# one heartbeat timeout instead of after a random number of commands.
MAINTENANCE = MAINTENANCE_SCALE


def broker(settings: Settings) -> RedisBroker:
    """A Redis broker for `settings.redis_url`, with the current message visible to actors."""
    made = RedisBroker(
        url=settings.redis_url,
        heartbeat_timeout=settings.heartbeat_ms,
        maintenance_chance=MAINTENANCE,
    )
    made.add_middleware(CurrentMessage())
    return made


def bind(settings: Settings, fn: Callable[[int], None]) -> dramatiq.Actor[Any, Any]:
    """Register `fn` as the job actor on a broker for `settings` (one per process)."""
    made = broker(settings)
    dramatiq.set_broker(made)
    options = {
        "max_retries": RETRIES,
        "min_backoff": RETRY_BACKOFF_MS,
        "max_backoff": RETRY_BACKOFF_MS,
        # the pipeline's own per-file limit, plus time to store what it found
        "time_limit": int(settings.job_timeout * 1000) + 60_000,
    }
    unknown = set(options) - made.actor_options
    if unknown:  # what dramatiq.actor checks: a middleware these options need is missing
        raise ValueError(f"actor options without their middleware: {sorted(unknown)}")
    return dramatiq.Actor(
        fn, actor_name=ACTOR, queue_name=QUEUE, priority=0, broker=made, options=options
    )


class Sender:
    """What the API needs from the queue: send a job, and whether Redis answers."""

    def __init__(self, settings: Settings) -> None:
        self.actor = bind(settings, _never_called_here)
        self.broker: RedisBroker = self.actor.broker  # type: ignore[assignment]

    def send(self, job_id: int) -> None:
        self.actor.send(job_id)

    def ping(self) -> bool:
        try:
            return bool(self.broker.client.ping())
        except Exception:  # any connection error means: not reachable now
            return False

    def close(self) -> None:
        self.broker.close()


def _never_called_here(job_id: int) -> None:  # pragma: no cover - the API only sends
    raise RuntimeError(f"job {job_id}: the API process does not run jobs")
