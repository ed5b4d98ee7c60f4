"""The simulated model over real HTTP: right answers from gold, errors exactly as logged."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openai
import pytest

from eval.cases import real_cases, synth_cases
from eval.metrics import same
from eval.simulator import MODES, SimConfig, SimServer, SimulatedModel
from eval.simulator.documents import SimDoc
from eval.simulator.faults import ROW_FAULTS
from eval.simulator.unseen import UNSEEN_FAULTS
from extractor.llm import LLMExtractor
from extractor.llm.prompts import load_prompt, rows_prompt
from extractor.llm.units import split_units
from nianbao.core.errors import ExtractorError

STEMS = (
    "seed-004",
    "corpus-003_pingtan-2021-webtext",
    "corpus-010_shanghai-gov-office-2025-pdfextract",
)


@pytest.fixture(scope="module")
def cases():  # type: ignore[no-untyped-def]
    return real_cases(only=STEMS)


def _docs(cases) -> list[SimDoc]:  # type: ignore[no-untyped-def]
    return [SimDoc(c.id, c.doc.text, c.gold) for c in cases]


def _equal(gold: object, given: object) -> bool:
    """A JSON value equals a gold cell (amounts arrive as floats)."""
    if gold is None or given is None:
        return gold is None and given is None
    return Decimal(str(given)) == Decimal(str(gold))


def _extractor(url: str, tmp_path: Path) -> LLMExtractor:
    return LLMExtractor(
        base_url=url,
        api_key="sk-sim",
        model="simulated",
        no_cache=True,
        cache_dir=tmp_path / "cache",
    )


def test_a_perfect_model_reads_every_cell_right(cases, tmp_path: Path) -> None:
    model = SimulatedModel(_docs(cases), SimConfig())
    with SimServer(model) as server:
        llm = _extractor(server.url, tmp_path)
        try:
            for case in cases:
                extraction = llm.extract(case.doc)
                wrong = [
                    k for k, v in case.gold.cells.items() if not same(v, extraction.report.cells[k])
                ]
                assert wrong == [], case.id
                assert extraction.usage["calls"] >= 1  # one compact read, over HTTP
        finally:
            llm.close()
    assert model.requests >= len(cases)
    # re-asks (a quote the simulator could not find verbatim) are answered right, not spoiled
    assert all(entry.mode is None and entry.action == "fix" for entry in model.log)


def _ask(url: str, case, unit_index: int = 1) -> dict:  # type: ignore[no-untyped-def]
    """One table request as the extractor sends it (part 三), answered over HTTP."""
    unit = split_units(case.gold.meta.template, "parts")[unit_index]
    client = openai.OpenAI(base_url=url, api_key="sk-sim", max_retries=0)
    try:
        answer = client.chat.completions.create(
            model="simulated",
            messages=[
                {"role": "system", "content": load_prompt("system", "v1")},
                {"role": "user", "content": rows_prompt(unit, case.doc.text, "v1")},
            ],
        )
    finally:
        client.close()
    content = answer.choices[0].message.content
    assert content is not None
    return json.loads(content)


@pytest.mark.parametrize("mode", sorted(ROW_FAULTS) + sorted(UNSEEN_FAULTS))
def test_each_row_fault_changes_exactly_the_logged_cells(cases, tmp_path: Path, mode: str) -> None:
    if mode == "sign_dropped":  # the real reports here print no decrease; this one does
        cases = [c for c in synth_cases(seed=11, count=4) if c.id == "synth-11-0003"]
    log = tmp_path / "injections.jsonl"
    model = SimulatedModel(_docs(cases), SimConfig(modes=(mode,), rate=1.0, seed=3), log)
    with SimServer(model) as server:
        # the first report and part this mode applies to (a report with no blank cell has
        # nothing to hallucinate into)
        for case, unit in ((c, u) for c in cases for u in (1, 0, 2)):
            answer = _ask(server.url, case, unit)
            if log.read_text("utf-8"):
                break
    (entry,) = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert entry["mode"] == mode and entry["doc"] == case.id and entry["action"] == "inject"
    got = {
        f"{r['row']}.{c}": v
        for r in answer["rows"]
        for c, v in r.items()
        if c not in ("row", "quote")
    }
    differs = {k for k, v in got.items() if not _equal(case.gold.cells[k], v)}
    assert set(differs) == set(entry["cells"])
    if mode == "fake_quote":
        assert entry["cells"] == {}
        assert any("据统计" in r["quote"] for r in answer["rows"])
    else:
        assert entry["cells"], "the mode changed nothing"


def test_the_same_seed_injects_the_same_errors(cases, tmp_path: Path) -> None:
    logs = []
    for _ in range(2):
        model = SimulatedModel(_docs(cases), SimConfig(modes=MODES, rate=0.5, seed=11))
        with SimServer(model) as server:
            llm = _extractor(server.url, tmp_path)
            try:
                for case in cases:
                    # a spoiled report may fail as a whole; the log is what is compared
                    with contextlib.suppress(ExtractorError):
                        llm.extract(case.doc)
            finally:
                llm.close()
        logs.append([e.to_json() | {"seq": 0} for e in model.log])
    assert logs[0] == logs[1]
    assert logs[0], "rate 0.5 over three reports injected nothing"


def test_reasks_are_fixed_or_repeated_as_configured(cases, tmp_path: Path) -> None:
    case = cases[0]
    for fix, repeat, action in ((1.0, 0.0, "fix"), (0.0, 1.0, "repeat")):
        config = SimConfig(modes=("misread_digit",), rate=1.0, reask_fix=fix, reask_repeat=repeat)
        model = SimulatedModel(_docs(cases), config)
        with SimServer(model) as server:
            first = _ask(server.url, case)
            unit = split_units(case.gold.meta.template, "parts")[1]
            client = openai.OpenAI(base_url=server.url, api_key="sk-sim", max_retries=0)
            messages = [
                {"role": "system", "content": load_prompt("system", "v1")},
                {"role": "user", "content": rows_prompt(unit, case.doc.text, "v1")},
                {"role": "assistant", "content": json.dumps(first, ensure_ascii=False)},
                {
                    "role": "user",
                    "content": "Re-read these rows:\n"
                    + "\n".join(f"- {r.key}: {r.label}" for r in unit.rows),
                },
            ]
            again = client.chat.completions.create(model="simulated", messages=messages)
            client.close()
        second = json.loads(again.choices[0].message.content or "")
        assert model.log[-1].action == action
        if action == "repeat":
            assert second == first
        else:
            rows = {r["row"]: r for r in second["rows"]}
            for key, value in case.gold.cells.items():
                row, col = key.rsplit(".", 1)
                if row in rows:
                    assert _equal(value, rows[row][col]), key


def test_an_unknown_mode_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nianbao",
            "eval",
            "--backend",
            "llm",
            "--simulate",
            "bogus",
            "--set",
            "real",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unknown error modes ['bogus']" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_unseen_modes_are_kept_out_of_all() -> None:
    assert not set(UNSEEN_FAULTS) & set(MODES)  # `--simulate all` is the gate's ten
    assert SimConfig(modes=("unseen",)).modes == tuple(UNSEEN_FAULTS)
    assert SimConfig(modes=("all", "transpose")).modes == (*MODES, "transpose")
    assert len(SimConfig(modes=("every",)).modes) == len(MODES) + len(UNSEEN_FAULTS)


def test_a_request_several_reports_print_alike_is_answered_when_their_gold_agrees(
    cases,  # type: ignore[no-untyped-def]
) -> None:
    # two copies of one report under other names: a re-ask quoting only shared lines holds
    # no shingle of one report, yet the rows it asks about read the same in each
    from eval.simulator.documents import DocIndex
    from eval.simulator.model import _alike

    case = cases[0]
    twins = [SimDoc(f"{case.id}-{n}", case.doc.text, case.gold) for n in (1, 2)]
    index = DocIndex(twins)
    line = next(x for x in case.doc.text.splitlines() if "规范性文件" in x)
    assert index.identify(line) is None
    holders = index.holders(f"{line}\n…\n{line}")
    assert [d.id for d in holders] == [t.id for t in twins]
    assert _alike(holders, ["t2.normative"]) is holders[0]
    other = case.gold.model_copy(deep=True)
    other.cells["t2.normative.total_published"] = 999
    differing = [twins[0], SimDoc("other", case.doc.text, other)]
    assert _alike(differing, ["t2.normative"]) is None  # which one is asked: unknowable
