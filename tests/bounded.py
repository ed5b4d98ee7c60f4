"""Run a test's risky step in a child process held to a small budget, so a regression to the
old blow-ups fails the test (over budget) instead of taking the machine down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nianbao.pipeline.budget import Budget, ChildFailed, Spent, bounded


def vm_mb() -> int:
    """This process's address space now: a forked child starts with it."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def _own_vm_mb() -> int:
    return vm_mb()


def child_vm_mb() -> int:
    """The size of the child that serves this thread's bounded calls (it may have been
    forked from this process earlier, or come from a fork server)."""
    return int(bounded(_own_vm_mb, (), Budget())[0])


def within(fn: Callable[..., Any], *args: Any, memory_mb: int = 256, cpu: float = 60) -> Any:
    """fn(*args) with `memory_mb` above the child's size and `cpu` seconds of CPU (no
    wall-clock limit: the machine may be loaded). Raises OverBudget past either."""
    result, _spent = within_spent(fn, *args, memory_mb=memory_mb, cpu=cpu)
    return result


def within_spent(
    fn: Callable[..., Any], *args: Any, memory_mb: int = 256, cpu: float = 60
) -> tuple[Any, Spent]:
    budget = Budget(seconds=None, cpu_seconds=cpu, memory_mb=child_vm_mb() + memory_mb)
    try:
        return bounded(fn, args, budget)
    except ChildFailed as exc:  # what fn raised, as if called here
        if exc.error is None:
            raise
        raise exc.error from None
