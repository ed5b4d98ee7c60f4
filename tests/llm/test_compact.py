"""Prompts v2: one compact request per report, standalone re-asks on the rows' own lines."""

from __future__ import annotations

from pathlib import Path

from eval.cases import real_cases
from eval.simulator import SimConfig, SimServer, SimulatedModel
from eval.simulator.documents import SimDoc
from eval.simulator.tokens import estimate_tokens
from extractor.llm import LLMExtractor
from extractor.llm.compact import line_window

STEMS = ("corpus-003_pingtan-2021-webtext", "corpus-005_pingtan-2023-webtext", "seed-004")


def _run(config: SimConfig, tmp_path: Path):  # type: ignore[no-untyped-def]
    cases = real_cases(only=STEMS)
    model = SimulatedModel([SimDoc(c.id, c.doc.text, c.gold) for c in cases], config)
    bodies: list[dict] = []
    answer = model.answer
    model.answer = lambda body: (bodies.append(body), answer(body))[1]  # type: ignore[method-assign]
    out = []
    with SimServer(model) as server:
        llm = LLMExtractor(
            base_url=server.url, api_key="sk-sim", model="simulated", cache_dir=tmp_path
        )
        try:
            for case in cases:
                bodies.clear()
                out.append((case, llm.extract(case.doc), list(bodies)))
        finally:
            llm.close()
    return out


def test_a_full_read_is_one_request_within_the_reports_own_tokens(tmp_path: Path) -> None:
    for case, extraction, bodies in _run(SimConfig(), tmp_path):
        assert extraction.report.cells == case.gold.cells, case.id
        assert extraction.report.meta.organ == case.gold.meta.organ
        assert len(bodies) == 1 and extraction.usage["calls"] == 1
        assert extraction.usage["input_tokens"] <= estimate_tokens(case.doc.text), case.id


def test_a_reask_sends_only_the_lines_of_its_rows(tmp_path: Path) -> None:
    # every first answer has one error; every re-ask is answered right
    config = SimConfig(modes=("adjusted_total",), rate=1.0, reask_fix=1.0, reask_repeat=0.0)
    for case, extraction, bodies in _run(config, tmp_path):
        assert extraction.report.cells == case.gold.cells, case.id
        assert len(bodies) == 2  # the read, one standalone re-ask
        reask = bodies[1]["messages"]
        assert [m["role"] for m in reask] == ["system", "user"]
        text = reask[1]["content"].split("--- report (where these rows are printed) ---", 1)[1]
        own = estimate_tokens(case.doc.text)
        sent = sum(estimate_tokens(m["content"]) for m in reask)
        assert estimate_tokens(text) < 0.3 * own
        assert sent <= 0.3 * own or len(text) < len(case.doc.text) / 4, (case.id, sent, own)


def test_the_line_window_keeps_the_rows_lines_and_their_neighbours() -> None:
    source = "a\nb\nc\nd\ne\nf\ng"
    at = source.index("c")
    assert line_window(source, [(at, at + 1)]) == "b\nc\nd"
    far = source.index("g")
    assert line_window(source, [(at, at + 1), (far, far + 1)]) == "b\nc\nd\n…\nf\ng"
    assert line_window(source, []) == ""


def test_a_rows_label_printed_apart_from_its_values_is_found_before_them() -> None:
    # labels printed as a block, values one per line below (text extraction without layout):
    # a window around the values holds only numbers, so the re-ask adds the label's line
    from extractor.llm.reading import Reading

    block = "一、本年新收政府信息公开申请数量\n二、上年结转政府信息公开申请数量\n"
    source = (
        "正文提到本年新收政府信息公开申请数量。\n"
        + "话" * 300
        + "\n三、收到和处理政府信息公开申请情况\n"
        + block
        + "x\n" * 8
        + "5\n0\n0\n0\n0\n0\n5\n"
    )
    values = source.index("5\n0")
    reading = Reading(source=source, extractor="llm:x", template="2021")
    span = reading.label_before("t3.new", values)
    assert span is not None and source[span[0] : span[1]] == "本年新收政府信息公开申请数量"
    assert span[0] > source.index("三、")  # the table's label, not the narrative's mention
    assert "本年新收" not in line_window(source, [(values, values + 1)], reach=60)
    from extractor.llm.compact import join_pieces, label_pieces, window_pieces

    pieces = window_pieces(source, [(values, values + 1)], reach=60)
    sent = join_pieces(source, pieces + label_pieces(source, pieces, [span]))
    assert "一、本年新收政府信息公开申请数量" in sent and "5\n0" in sent
    assert "正文" not in sent  # the label's own line only, not the narrative
    # a label the values' window already shows adds nothing
    inline = source.index("二、上年结转")
    near = window_pieces(source, [(inline, inline + 3)], reach=60)
    assert label_pieces(source, near, [(inline + 2, inline + 8)]) == []
