"""Run one fuzz input through a reader and the parser, in a child process held to a budget.

The child (forked from a fork server that has the readers and the parser imported) limits
its own address space (RLIMIT_AS: an allocation past it raises MemoryError) and CPU time; the
parent waits at most the wall-clock budget, then kills it. What happened is one `Outcome`:

- `read`: the input was read and parsed; `refused`: a `NianbaoError` with a one-line message,
  the documented answer to a bad file;
- `over-memory`, `over-time`: the budget stopped it (the robust engineer's guards make these
  rare; the worker enforces the same kind of budget in a run);
- `traceback`: any other exception, a refusal spread over lines, or a child killed by a
  signal: a bug, with its traceback.

Once `nianbao.pipeline.budget.bounded` (branch `robust`) is on main, `_bounded` here can be
replaced by it: same idea, and the run then fuzzes exactly the worker's budget.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nianbao.pipeline.budget import DEFAULT_MEMORY_MB as WORKER_MEMORY_MB
from tests.fuzz.inputs import FuzzInput

DEFAULT_SECONDS = 60.0  # wall clock per input: generous, a loaded CI machine must not trip it
# address space of the child, interpreter and libraries included: the worker's own budget
DEFAULT_MEMORY_MB = WORKER_MEMORY_MB
# "__main__": the server imports the main module once, so no child imports it again (under
# pytest or bench/fuzz.py that would be hypothesis and the rest, ~0.4 s per input).
_MODULES = [
    "extractor.readers",
    "extractor.parser",
    "rules.engine",
    # the readers import these when first needed: imported once here, not once per child
    "charset_normalizer",
    "bs4",
    "docx",
    "pdfplumber",
]
_PRELOAD = ["__main__", *_MODULES]
_context: Any = None


@dataclass(frozen=True)
class Budget:
    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB


@dataclass(frozen=True)
class Outcome:
    """What one input did: its verdict, a one-line detail, and what it cost."""

    verdict: str  # read | refused | over-memory | over-time | traceback
    detail: str
    seconds: float
    peak_mb: float  # the child's peak resident memory
    traceback: str = ""

    @property
    def failed(self) -> bool:
        return self.verdict == "traceback"


def _process(name: str, data: bytes) -> str:
    """What the child does: read the bytes as a file of that name, parse, check."""
    from extractor.parser import ParserExtractor
    from extractor.readers import read_document
    from rules.engine import check

    with tempfile.TemporaryDirectory(prefix="nianbao-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        doc = read_document(path)
    extraction = ParserExtractor().extract(doc)
    check(extraction.report)
    return f"{len(extraction.report.cells)} cells"


def _child(conn: Any, name: str, data: bytes, budget: Budget) -> None:
    from nianbao.core.errors import NianbaoError

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    size = budget.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    cpu = int(budget.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        reply = ("read", _process(name, data), "")
    except MemoryError:
        reply = ("over-memory", f"MemoryError past {budget.memory_mb} MB", "")
    except NianbaoError as exc:  # the documented refusal: it must be one line
        message = str(exc)
        if "\n" in message:
            reply = ("traceback", "refusal over several lines", traceback.format_exc())
        else:
            reply = ("refused", message, "")
    except RecursionError:
        reply = ("traceback", "RecursionError", traceback.format_exc())
    except BaseException as exc:
        reply = ("traceback", f"{exc.__class__.__name__}: {exc}"[:300], traceback.format_exc())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        conn.send((*reply, peak))
    except MemoryError:
        os._exit(3)
    conn.close()
    os._exit(0)


def warm() -> None:
    """Import what every child needs, so a forked child starts with it (a worker's init)."""
    import importlib

    for name in _MODULES:
        importlib.import_module(name)


def _ctx() -> Any:
    """Fork straight from this process when it runs one thread (bench/fuzz.py's workers: a
    few ms per input); from a fork server otherwise (pytest runs a timer thread, and a fork
    of a threaded process can inherit a held lock)."""
    global _context
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(_PRELOAD)
    return _context


def run_input(item: FuzzInput, budget: Budget | None = None) -> Outcome:
    """`item` read and parsed in a bounded child; never raises for what the child did."""
    budget = budget or Budget()
    ctx = _ctx()
    started = time.perf_counter()
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, item.name, item.data, budget), daemon=True)
    child.start()
    send.close()
    reply, expired = None, False
    try:
        if recv.poll(budget.seconds):
            try:
                reply = recv.recv()
            except (EOFError, OSError):  # the child died without a word
                reply = None
        else:
            expired = True
    finally:
        recv.close()
        if child.is_alive():
            child.kill()
        child.join()
    seconds = time.perf_counter() - started
    if reply is not None:
        verdict, detail, trace, peak = reply
        return Outcome(verdict, detail, seconds, peak, trace)
    code = child.exitcode
    if expired:
        return Outcome("over-time", f"killed after {budget.seconds:g} s", seconds, 0.0)
    if code == -signal.SIGXCPU:
        return Outcome("over-time", f"over {int(budget.seconds) + 1} s of CPU", seconds, 0.0)
    if code in (3, -signal.SIGKILL):  # 3: even reporting the MemoryError failed
        return Outcome("over-memory", f"out of memory ({budget.memory_mb} MB)", seconds, 0.0)
    how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    return Outcome("traceback", f"the child died ({how}) without a word", seconds, 0.0)


@dataclass
class Tally:
    """A fuzz round's figures: inputs tried, verdicts, failures, peak memory, slowest input."""

    tried: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[tuple[FuzzInput, Outcome]] = field(default_factory=list)
    over_budget: list[tuple[FuzzInput, Outcome]] = field(default_factory=list)
    peak_mb: float = 0.0
    peak_input: str = ""
    slowest: float = 0.0
    slowest_input: str = ""
    slowest_item: FuzzInput | None = None
    seconds: float = 0.0

    def add(self, item: FuzzInput, outcome: Outcome) -> None:
        self.tried += 1
        self.seconds += outcome.seconds
        self.verdicts[outcome.verdict] = self.verdicts.get(outcome.verdict, 0) + 1
        kind = self.by_kind.setdefault(item.kind, {})
        kind[outcome.verdict] = kind.get(outcome.verdict, 0) + 1
        if outcome.failed:
            self.failures.append((item, outcome))
        elif outcome.verdict.startswith("over-"):
            self.over_budget.append((item, outcome))
        if outcome.peak_mb > self.peak_mb:
            self.peak_mb, self.peak_input = outcome.peak_mb, repr(item)
        if outcome.seconds > self.slowest:
            self.slowest, self.slowest_input = outcome.seconds, f"{item!r}: {outcome.verdict}"
            self.slowest_item = item

    def dump(self, folder: Path) -> list[Path]:
        """Write the failing, over-budget and slowest inputs as files, to reproduce them
        (`nianbao extract FILE`)."""
        folder.mkdir(parents=True, exist_ok=True)
        picked = [("fail", i) for i, _ in self.failures] + [
            ("over", i) for i, _ in self.over_budget
        ]
        if self.slowest_item is not None:
            picked.append(("slowest", self.slowest_item))
        written = []
        for n, (why, item) in enumerate(picked):
            path = folder / f"{why}-{n:03d}-{item.kind}-{item.name}"
            path.write_bytes(item.data)
            written.append(path)
        return written

    def summary(self) -> str:
        lines = [
            f"inputs tried: {self.tried}",
            "verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(self.verdicts.items())),
            f"failures (tracebacks): {len(self.failures)}",
            f"over budget: {len(self.over_budget)}",
            f"peak memory of one input: {self.peak_mb:.0f} MB ({self.peak_input})",
            f"slowest input: {self.slowest:.2f} s ({self.slowest_input})",
            f"total time in children: {self.seconds:.0f} s",
            "by kind:",
        ]
        for kind, counts in sorted(self.by_kind.items()):
            lines.append(f"  {kind:16} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for item, outcome in self.failures[:20]:
            lines.append(f"FAIL {item!r}: {outcome.detail}")
            lines.append("  " + outcome.traceback.strip().replace("\n", "\n  ")[-1500:])
        for item, outcome in self.over_budget[:20]:
            lines.append(f"OVER {item!r}: {outcome.detail} ({outcome.seconds:.1f} s)")
        return "\n".join(lines)
