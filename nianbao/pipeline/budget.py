"""Bounded work per file: the budget every file gets, enforced outside the code that reads it.

The reading and parsing of one file runs in a child process of whichever worker handles it.
The child limits itself before it touches the file: its address space (RLIMIT_AS: an
allocation past it raises MemoryError) and its CPU time (RLIMIT_CPU: the kernel stops it);
the parent waits at most the wall-clock budget and then kills it. So a reader or parser that
blows up can cost one file, never the run: nothing is trusted to check its own budget.

The child is forked directly when the calling process runs one thread (a pool worker), and
comes from a fork server otherwise (a fork of a process running threads can inherit a held
lock). It dies with its parent (PR_SET_PDEATHSIG), so a killed run leaves no orphans. One
child serves a thread's calls one after the other (forking per file doubled the run's time)
and is replaced after RECYCLE_AFTER files, after any call over budget and after an interrupt.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import ForkContext, ForkServerContext
from pathlib import Path
from typing import Any

from nianbao.core.errors import NianbaoError
from nianbao.store.db import interrupts_deferred

# Defaults (docs/pipeline.md, `nianbao run --help`). A real report reads and parses in well
# under a second and 200 MB; these leave a wide margin and still stop a hostile file early.
DEFAULT_SECONDS = 300.0  # wall clock per file
DEFAULT_CPU_SECONDS = 120.0  # CPU time per file
DEFAULT_MEMORY_MB = 2048  # address space of the process reading the file, interpreter included
DEFAULT_FILE_MB = 32.0  # input size: larger files are refused unread (extractor.readers)

EXIT_MEMORY = 86  # the child's exit status when even reporting its MemoryError failed
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Budget:
    """What one file may cost; None switches a limit off."""

    seconds: float | None = DEFAULT_SECONDS
    cpu_seconds: float | None = DEFAULT_CPU_SECONDS
    memory_mb: int | None = DEFAULT_MEMORY_MB
    file_mb: float = DEFAULT_FILE_MB

    @property
    def max_bytes(self) -> int:
        return int(self.file_mb * (1 << 20))

    def describe(self) -> str:
        parts = [
            f"{self.seconds:g} s" if self.seconds else "no time limit",
            f"{self.cpu_seconds:g} s CPU" if self.cpu_seconds else "no CPU limit",
            f"{self.memory_mb} MB memory" if self.memory_mb else "no memory limit",
            f"files up to {self.file_mb:g} MB",
        ]
        return ", ".join(parts)


class OverBudget(NianbaoError):
    """The file cost more than its budget; the message is the one-line reason."""


@dataclass(frozen=True)
class Spent:
    """What a bounded call cost: its child's peak resident memory and CPU time."""

    peak_mb: float
    cpu_seconds: float
    seconds: float


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; elsewhere a no-op).

    Set first thing in every worker and child: without it, a SIGKILLed run leaves its
    workers running as orphans. `parent` is the pid the run passed down to a spawned worker,
    which imports for a while before it gets here: a run that died meanwhile (re-parenting
    the worker) is caught by comparing with it. Without it, the parent now is the one to
    outlive (a fork server's child: the server ends when the run does)."""
    if parent is None:
        parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was in place
        os._exit(1)


RECYCLE_AFTER = 100  # files one child reads before a fresh one takes over


def _limit(budget: Budget) -> float:
    """Hold this process to `budget` for the next call; returns its CPU seconds so far.

    Only soft limits change (the hard ones stay unlimited, so the next file's budget can be
    larger): RLIMIT_AS is the address space, RLIMIT_CPU counts the process's whole CPU time,
    so it is set to what was used so far plus this file's allowance."""
    used = _cpu_seconds()
    unlimited = resource.RLIM_INFINITY
    size = unlimited if not budget.memory_mb else budget.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (size, unlimited))
    cpu = unlimited if not budget.cpu_seconds else max(1, int(used + budget.cpu_seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, unlimited))
    return used


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu_seconds() -> float:
    """CPU of this process's ended children: the OCR's page processes work for the file."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    """The peak resident memory since the last reset (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:  # "5" resets VmHWM to the current RSS (Linux >= 4.0): each file's own peak
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass


def _serve(conn: Any) -> None:
    """A child's life: calls in, results out, each call within its budget, until EOF."""
    die_with_parent()
    # Ctrl-C at a terminal reaches the whole process group: the parent handles it (and kills
    # this child); here it would only turn into an error about the file
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # none of the parent's files: a forked copy of its store or run-lock descriptor would
    # outlive the parent's own use of it (an flock stays held while any copy is open)
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed child writes no core file
    while True:
        try:
            fn, args, budget, env = conn.recv()
        except EOFError:
            os._exit(0)
        if env != os.environ:
            os.environ.clear()
            os.environ.update(env)  # a fork server's copy of the environment may be stale
        _reset_peak()
        before = _limit(budget) + _children_cpu_seconds()
        try:
            reply: tuple[Any, ...] = ("ok", fn(*args))
        except MemoryError:
            reply = ("memory",)
        except BaseException as exc:  # every error goes back to the parent, as one line
            where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            at = f" ({Path(where.filename).name}:{where.lineno})" if where else ""
            reply = ("error", exc, f"{exc.__class__.__name__}: {exc}{at}")
        stats = (_peak_mb(), _cpu_seconds() + _children_cpu_seconds() - before)
        try:
            conn.send((*reply, stats))
        except MemoryError:
            os._exit(EXIT_MEMORY)
        except Exception:  # an exception that does not pickle: send its description
            conn.send(("error", None, reply[-1] if reply[0] == "error" else "unpicklable", stats))
        if reply[0] == "memory":
            os._exit(0)  # a process that ran out of memory may be in any state: start afresh
        del reply, args, fn
        _give_back()


def _give_back() -> None:
    """Return the freed heap to the system, so the next file starts from the same size."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL(None).malloc_trim(0)


_PRELOAD = ["extractor.readers", "extractor.parser", "nianbao.pipeline.worker"]


def _context() -> ForkContext | ForkServerContext:
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


class ChildFailed(NianbaoError):
    """The bounded call raised: `error` is the exception (when it pickled), `line` says it."""

    def __init__(self, error: BaseException | None, line: str, spent: Spent) -> None:
        super().__init__(line)
        self.error, self.line, self.spent = error, line, spent


@dataclass
class _Child:
    """One long-lived child (per calling thread): forking per file cost more than parsing."""

    process: Any
    conn: Any
    served: int = 0

    @classmethod
    def start(cls) -> _Child:
        ctx = _context()
        mine, theirs = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(theirs,), daemon=True)
        # Ctrl-C waits until the child is started: interrupted half-way, a fork server's
        # child would read a truncated message and print a traceback of its own
        with interrupts_deferred():
            process.start()
            theirs.close()
        return cls(process, mine)

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


_children = threading.local()


def _take_child() -> _Child:
    child: _Child | None = getattr(_children, "child", None)
    if child is None or not child.process.is_alive() or child.served >= RECYCLE_AFTER:
        if child is not None:
            child.stop()
        child = _children.child = _Child.start()
    child.served += 1
    return child


def _drop_child() -> None:
    child: _Child | None = getattr(_children, "child", None)
    _children.child = None
    if child is not None:
        child.stop()


def bounded(fn: Callable[..., Any], args: tuple[Any, ...], budget: Budget) -> tuple[Any, Spent]:
    """fn(*args) in a child process held to `budget`: (its result, what it cost).

    Raises OverBudget with the reason when the child ran out of time, CPU or memory (or was
    killed), ChildFailed when fn raised. A child that went over is replaced."""
    child = _take_child()
    started = time.perf_counter()  # a child's start-up is not the file's time
    try:
        child.conn.send((fn, args, budget, dict(os.environ)))
        reply = _wait(child, budget, started)
    except BaseException:  # over budget, or interrupted mid-call: its state is unknown
        _drop_child()
        raise
    kind, *rest, (peak_mb, cpu) = reply
    spent = Spent(peak_mb, cpu, time.perf_counter() - started)
    if kind == "ok":
        return rest[0], spent
    if kind == "memory":
        _drop_child()
        raise OverBudget(f"over its memory budget of {budget.memory_mb} MB")
    raise ChildFailed(rest[0], rest[1], spent)


def _wait(child: _Child, budget: Budget, started: float) -> tuple[Any, ...]:
    deadline = None if budget.seconds is None else started + budget.seconds
    while True:
        left = None if deadline is None else max(0.0, deadline - time.perf_counter())
        if child.conn.poll(left):
            try:
                return child.conn.recv()
            except (EOFError, OSError):
                break  # the child died without a word
        if deadline is not None and time.perf_counter() >= deadline:
            raise OverBudget(f"over its time budget: gave up after {budget.seconds:g} s")
    child.process.join()
    code = child.process.exitcode
    if code == -signal.SIGXCPU:
        raise OverBudget(f"over its CPU budget of {budget.cpu_seconds:g} s")
    if code == EXIT_MEMORY:
        raise OverBudget(f"over its memory budget of {budget.memory_mb} MB")
    how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    # SIGKILL from outside: the kernel's OOM killer, or the hard CPU limit
    raise OverBudget(f"the process reading it was killed ({how}: out of memory or CPU?)")


__all__ = ["Budget", "ChildFailed", "OverBudget", "Spent", "bounded", "die_with_parent"]
