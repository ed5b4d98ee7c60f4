"""The batches of `nianbao run --batch` in the store, on SQLite and Postgres: recorded with
their lines, open until collected, answers read back by request digest."""

from __future__ import annotations

from nianbao.store import BatchLine, open_store


def _lines(n: int) -> list[BatchLine]:
    return [
        BatchLine(f"r1-{i}", f"hash{i}", f"/reports/{i}.txt", f"key{i}", {"model": "m", "n": i})
        for i in range(n)
    ]


def test_a_batch_is_open_until_collected_and_its_answers_are_read_back(store_target) -> None:
    with open_store(store_target) as store:
        run = store.begin_run("llm", "fp1", {"batch": True})
        ident = store.record_batch("batch_x", "file-1", "fp1", run, 1, _lines(3))
        store.record_batch("batch_other", "file-2", "fp2", run, 1, _lines(1))
        (record,) = store.open_batches("fp1")
        assert (record.batch_id, record.round, record.n_requests) == ("batch_x", 1, 3)
        assert store.batch_custom_ids(ident) == {"r1-0": "key0", "r1-1": "key1", "r1-2": "key2"}

        store.note_batch_status(ident, "in_progress")
        assert store.open_batches("fp1")[0].status == "in_progress"
        body = {"id": "chatcmpl-1", "usage": {"prompt_tokens": 3}}
        store.collect_batch(
            ident,
            {"r1-0": (body, None), "r1-1": (None, "batch line failed (500): x")},
            ("expired", "file-out", None, None),
        )
        assert store.open_batches("fp1") == []
        assert store.batch_answers("fp1") == {"key0": body}  # a failed line is no answer
        assert store.batch_answers("fp2") == {}
        assert store.batch_errors(ident) == {"key1": "batch line failed (500): x"}
        assert [b.status for b in store.batches("fp1")] == ["collected"]
    with open_store(store_target) as store:  # survives a restart
        assert store.batch_answers("fp1") == {"key0": body}
        assert [b.batch_id for b in store.open_batches("fp2")] == ["batch_other"]
