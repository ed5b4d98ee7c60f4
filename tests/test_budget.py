"""The per-file budget is enforced from outside the code it bounds: memory, CPU, wall clock."""

from __future__ import annotations

import time

import pytest

from nianbao.pipeline.budget import Budget, ChildFailed, OverBudget, bounded
from tests.bounded import child_vm_mb


def _allocate(mb: int) -> int:
    return len(bytearray(mb << 20))


def _spin() -> None:
    while True:
        pass


def test_a_result_and_its_cost_come_back() -> None:
    value, spent = bounded(sum, ([1, 2, 3],), Budget())
    assert value == 6 and spent.peak_mb > 0 and spent.cpu_seconds >= 0


def test_memory_over_the_budget_is_refused() -> None:
    budget = Budget(seconds=None, memory_mb=child_vm_mb() + 128)
    assert bounded(_allocate, (32,), budget)[0] == 32 << 20
    with pytest.raises(OverBudget, match=r"^over its memory budget of \d+ MB$"):
        bounded(_allocate, (256,), budget)
    assert bounded(_allocate, (32,), budget)[0] == 32 << 20  # a fresh child goes on


def test_cpu_over_the_budget_is_stopped_by_the_kernel() -> None:
    # CPU time, not wall time: a loaded machine makes this slower, never different
    with pytest.raises(OverBudget, match=r"^over its CPU budget of 1 s$"):
        bounded(_spin, (), Budget(seconds=None, cpu_seconds=1))


def test_wall_clock_over_the_budget_is_killed_by_the_parent() -> None:
    # a hang that uses no CPU at all: only the parent's deadline can end it
    started = time.perf_counter()
    with pytest.raises(OverBudget, match=r"^over its time budget: gave up after 0.5 s$"):
        bounded(time.sleep, (3600,), Budget(seconds=0.5))
    assert time.perf_counter() - started < 3600


def test_an_exception_comes_back_as_itself() -> None:
    with pytest.raises(ChildFailed) as caught:
        bounded(int, ("x",), Budget())
    assert isinstance(caught.value.error, ValueError)
    assert caught.value.line.startswith("ValueError: invalid literal for int()")
