"""Where a document's OCR runs: in this process, or in page processes working in parallel.

Pages of one report are independent, so with cores to spare they are recognised in several
processes at once, each with one onnxruntime thread. The plan never oversubscribes: page
processes x threads stays within the cores this worker was given (NIANBAO_OCR_THREADS when
the run shared the machine's cores out between its workers, else the process's affinity).

The memory budget still holds: each page process is forked with its address space limited
(RLIMIT_AS) to what this process had at the fork plus an equal share of what its own limit
leaves, so the page processes together can allocate no more than this process alone could.
Plans that would give a page process less than PAGE_PROCESS_MB are not made: then pages are
read here one after the other, with all the cores' threads (as they are when a page turns
out bigger than its share). The CPU budget is shared out
the same way. A page process that runs out of memory makes the whole read a MemoryError,
as it would have been here.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

from extractor.geometry import ocr
from nianbao.core.errors import SourceError

Lines = list[tuple[list[list[float]], str, float]]

PAGE_THREADS = 1  # onnxruntime threads of one page process: page-level parallelism instead
# new address space one page process needs beyond what it inherits. Measured: reading
# 150-dpi A4 pages took VmPeak from 651 MB (OCR libraries imported) to 1311 MB, 660 MB; but
# with 680 MB shares one run in three had a page process run out (and fall back to the
# serial read, costing x2 wall). So 800: under the default 2048 MB budget pages are read
# here; two page processes need a budget of about 2300 MB (`nianbao run --memory-mb`).
PAGE_PROCESS_MB = int(os.environ.get("NIANBAO_OCR_PAGE_PROCESS_MB", "800"))


@dataclass(frozen=True)
class Plan:
    """How a document's pages are recognised: `processes` page processes (1: here), each
    with `threads` onnxruntime threads."""

    processes: int
    threads: int


def cores() -> int:
    """The cores this worker may use for OCR."""
    return int(os.environ.get("NIANBAO_OCR_THREADS", "0")) or ocr.worker_cores()


def _address_space_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) // 1024
    return 0


def _limit_mb() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft >> 20


def plan(pages: int) -> Plan:
    """Page processes only when there are pages and cores for two or more of them, and the
    memory budget gives each one enough; otherwise pages are read here with every core."""
    n = cores()
    if os.environ.get("NIANBAO_OCR_PARALLEL", "1") == "0":
        return Plan(1, n)
    if ocr.engine.cache_info().currsize:
        # this process has run onnxruntime: its global environment (thread pools, locks)
        # would be forked half-alive into the page processes, which can then hang
        return Plan(1, n)
    processes = min(pages, n // PAGE_THREADS)
    limit = _limit_mb()
    if limit is not None and processes >= 2:
        import rapidocr_onnxruntime  # noqa: F401  (mapped before the fork: part of what is left)

        room = limit - _address_space_mb()
        processes = min(processes, room // PAGE_PROCESS_MB)
    if processes < 2:
        return Plan(1, n)
    return Plan(processes, PAGE_THREADS)


class Recogniser:
    """Recognises page images and cell crops (grey numpy arrays); results, not cached."""

    def pages(self, images: list[tuple[Any, bool]]) -> list[Lines]:
        """(grey image, first page?) -> the OCR lines of each, in order."""
        return [ocr.recognise(_bgr(grey), first) for grey, first in images]

    def cells(self, crops: list[Any]) -> list[tuple[str, float]]:
        """Grey cell crops -> (text, score) of each, read alone at full effort."""
        return ocr.recognise_cells([_bgr(c) for c in crops])

    def digits(self, crops: list[Any]) -> list[tuple[str, float]]:
        """Grey crops of one value each -> (text, score), read as numbers."""
        return ocr.recognise_digits([_bgr(c) for c in crops])

    def close(self) -> None:
        pass


def _bgr(grey: Any) -> Any:
    import numpy as np

    if grey.ndim == 3:
        return grey
    return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))


class PagePool(Recogniser):
    """`processes` forked page processes, fed one task at a time as each comes free."""

    def __init__(self, processes: int, threads: int) -> None:
        import rapidocr_onnxruntime  # noqa: F401  (its libraries mapped once, before the fork)

        limit = _limit_mb()
        inherited = _address_space_mb()
        share = None if limit is None else (limit - inherited) // processes
        cpu = _cpu_share(processes)
        # os.fork, not multiprocessing: the pipeline's budgeted child is a daemon process,
        # which multiprocessing forbids to have children of its own
        self.workers: list[tuple[int, Any]] = []
        for _ in range(processes):
            mine, theirs = multiprocessing.Pipe()
            pid = os.fork()
            if pid == 0:  # the page process: never returns
                code = 1
                try:
                    mine.close()
                    limit_as = None if share is None else (inherited + share) << 20
                    _serve(theirs, limit_as, cpu, threads)
                finally:
                    os._exit(code)
            theirs.close()
            self.workers.append((pid, mine))
        self.codes: dict[int, int] = {}

    def _run(self, tasks: list[tuple[str, Any, bool]]) -> list[Any]:
        results: list[Any] = [None] * len(tasks)
        todo = list(enumerate(tasks))
        busy: dict[Any, int] = {}
        idle = [conn for _, conn in self.workers]
        while todo or busy:
            while todo and idle:
                free = idle.pop()
                at, task = todo.pop(0)
                free.send(task)
                busy[free] = at
            for ready in wait(list(busy)):
                conn: Any = ready
                at = busy.pop(conn)
                try:
                    reply = conn.recv()
                except (EOFError, OSError):
                    raise self._died() from None
                if reply[0] == "memory":
                    raise MemoryError("a page process ran out of its memory share")
                if reply[0] == "error":
                    raise RuntimeError(f"OCR page process: {reply[1]}")
                results[at] = reply[1]
                idle.append(conn)
        return results

    def _died(self) -> BaseException:
        for pid, _ in self.workers:
            status = self._reap(pid, os.WNOHANG)
            if status is None:
                continue
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
                # the file's CPU budget, shared out: the file itself costs too much
                return SourceError("over its CPU budget (in an OCR page process)")
            if os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0:
                return MemoryError(f"an OCR page process died (wait status {status})")
        return RuntimeError("an OCR page process ended without a reply")

    def _reap(self, pid: int, flags: int = 0) -> int | None:
        """The page process's wait status once it has ended (None: still running)."""
        if pid not in self.codes:
            try:
                done, status = os.waitpid(pid, flags)
            except ChildProcessError:
                done, status = pid, 0
            if done == 0:
                return None
            self.codes[pid] = status
        return self.codes[pid]

    def pages(self, images: list[tuple[Any, bool]]) -> list[Lines]:
        return self._run([("page", grey, first) for grey, first in images])

    def cells(self, crops: list[Any]) -> list[tuple[str, float]]:
        if len(crops) < len(self.workers):  # one crop costs less than a round trip
            return self._run([("cells", crops, False)])[0]
        per = -(-len(crops) // len(self.workers))
        chunks = [crops[i : i + per] for i in range(0, len(crops), per)]
        return [r for chunk in self._run([("cells", c, False) for c in chunks]) for r in chunk]

    def digits(self, crops: list[Any]) -> list[tuple[str, float]]:
        return self._run([("digits", crops, False)])[0]

    def close(self) -> None:
        for _, conn in self.workers:
            # a word, not EOF: a later page process holds a forked copy of this end
            with contextlib.suppress(OSError):
                conn.send(("stop", None, False))
            conn.close()
        for pid, _ in self.workers:
            for _ in range(50):  # a stopped page process exits at once; 5 s at most
                if self._reap(pid, os.WNOHANG) is not None:
                    break
                time.sleep(0.1)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                self._reap(pid)
        self.workers = []


def _cpu_share(processes: int) -> int | None:
    """Each page process's CPU seconds: an equal share of what this process has left."""
    soft, _ = resource.getrlimit(resource.RLIMIT_CPU)
    if soft == resource.RLIM_INFINITY:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    left = soft - (usage.ru_utime + usage.ru_stime)
    return max(1, int(left / processes))


def _serve(conn: Any, address_space: int | None, cpu: int | None, threads: int) -> None:
    """A page process: held to its share of the budget, recognising until its pipe closes."""
    with contextlib.suppress(OSError, AttributeError):  # dies with the process it serves
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    # none of the parent's files: its store, its run lock, the other page processes' pipes
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    if address_space is not None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, resource.RLIM_INFINITY))
    if cpu is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
    os.environ["NIANBAO_OCR_THREADS"] = str(threads)
    ocr.engine.cache_clear()  # an engine built before the fork is the parent's, threads and all
    here = Recogniser()
    while True:
        try:
            kind, payload, first = conn.recv()
        except EOFError:
            os._exit(0)
        if kind == "stop":
            os._exit(0)
        try:
            if kind == "page":
                reply: tuple[Any, ...] = ("ok", here.pages([(payload, first)])[0])
            elif kind == "digits":
                reply = ("ok", here.digits(payload))
            else:
                reply = ("ok", here.cells(payload))
        except MemoryError:
            reply = ("memory",)
        except Exception as exc:  # back to the parent as one line
            where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            at = f" ({where.name})" if where else ""
            reply = ("error", f"{exc.__class__.__name__}: {exc}{at}")
        try:
            conn.send(reply)
        except MemoryError:
            os._exit(3)
        if reply[0] == "memory":
            os._exit(0)


class Planned(Recogniser):
    """Plans when the first pages arrive (those the cache did not have): a re-run whose
    pages are all cached starts no process and loads no model."""

    def __init__(self) -> None:
        self.inner: Recogniser | None = None

    def pages(self, images: list[tuple[Any, bool]]) -> list[Lines]:
        if self.inner is None:
            chosen = plan(len(images))
            if chosen.processes > 1:
                self.inner = PagePool(chosen.processes, chosen.threads)
                try:
                    return self.inner.pages(images)
                except MemoryError:
                    # a page bigger than a share allows: here, with the whole budget, the
                    # file may still fit (if not, the MemoryError below is the file's)
                    self.inner.close()
            self.inner = Recogniser()
        return self.inner.pages(images)

    def cells(self, crops: list[Any]) -> list[tuple[str, float]]:
        if self.inner is None:
            self.inner = Recogniser()
        return self.inner.cells(crops)

    def digits(self, crops: list[Any]) -> list[tuple[str, float]]:
        if self.inner is None:
            self.inner = Recogniser()
        return self.inner.digits(crops)

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()


@contextlib.contextmanager
def recogniser() -> Iterator[Recogniser]:
    """The recogniser for one document's pages and cells (its processes ended afterwards)."""
    rec = Planned()
    try:
        yield rec
    finally:
        rec.close()
