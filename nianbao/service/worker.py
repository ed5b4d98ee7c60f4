"""A worker process: Dramatiq consuming the job queue with `tasks.process_job`, until told to stop.

Run as many as there are cores, on as many machines as share the store and Redis. SIGTERM or
Ctrl-C finishes the reports in hand, then stops; SIGKILL loses nothing either: the queue
gives the unacknowledged message to another worker once this one's heartbeat is missed, and
the job's claim in the store lets that worker take it once the dead worker's lease runs out.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

import dramatiq

from nianbao.service import tasks
from nianbao.service.queue import QUEUE, bind
from nianbao.service.settings import Settings
from nianbao.store.location import shown

STOP_GRACE_MS = 60_000  # wait this long for the reports in hand when asked to stop


def run_worker(settings: Settings, threads: int) -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx = tasks.start(settings)
    actor = bind(settings, tasks.process_job)
    ctx.actor = actor  # a job another worker holds is looked at again when its lease ends
    worker = dramatiq.Worker(actor.broker, queues={QUEUE}, worker_threads=threads)
    # Hold no more messages than threads: a waiting report goes to whichever worker is idle.
    worker.queue_prefetch = threads
    stopping = threading.Event()

    def ask_to_stop(_signum: int, _frame: object) -> None:
        stopping.set()

    previous = {s: signal.signal(s, ask_to_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    worker.start()
    print(
        f"nianbao worker {tasks.WORKER}: {threads} thread(s), backend {settings.backend}, "
        f"store {shown(settings.db)}, queue {QUEUE} on {settings.redis_url}",
        flush=True,
    )
    try:
        stopping.wait()
    finally:
        worker.stop(timeout=STOP_GRACE_MS)
        actor.broker.close()
        tasks.stop(ctx)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"nianbao worker {tasks.WORKER}: stopped", flush=True)
    return 0
