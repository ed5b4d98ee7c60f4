"""The store's job and token records on a real SQLite file: who may work on a job, when."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.service.tokens import authenticate, create_token, hash_secret
from nianbao.store import JobStatus, StoreError, UnknownReport, open_store


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "jobs.db") as s:
        yield s


def test_a_job_is_worked_on_under_one_message_at_a_time(store) -> None:
    job = store.submit_job("h1", "a.txt", ".txt", b"bytes").job
    first = store.claim_job(job.id, "m1", "host:1", max_attempts=2)
    assert first.job is not None and first.job.attempts == 1 and first.job.worker == "host:1"
    # a second message for the same job (re-sent) is dropped while m1 holds it
    assert store.claim_job(job.id, "m2", "host:2", 2).job is None
    # m1 redelivered (its worker died): taken again, once
    again = store.claim_job(job.id, "m1", "host:3", 2)
    assert again.job is not None and again.job.attempts == 2 and again.job.worker == "host:3"
    # a third delivery: the job is failed, not looped on forever
    third = store.claim_job(job.id, "m1", "host:4", 2)
    assert third.job is None and "died while processing it, 2 times" in third.reason
    assert store.job(job.id).status == JobStatus.FAILED
    # only the holder closes a job
    assert not store.finish_job(job.id, "m2", JobStatus.DONE, None)


def test_finish_links_the_report_and_a_done_job_is_never_taken_again(store) -> None:
    job = store.submit_job("h2", "b.txt", ".txt", b"x").job
    assert store.claim_job(job.id, "m", "w", 2).job is not None
    assert store.finish_job(job.id, "m", JobStatus.DONE, None)
    assert store.job(job.id).status == JobStatus.DONE
    assert store.claim_job(job.id, "m", "w", 2).job is None
    assert store.claim_job(job.id, "other", "w", 2).job is None


def test_same_content_is_one_job_and_a_failed_one_is_queued_again(store) -> None:
    first = store.submit_job("h3", "c.txt", ".txt", b"x", None)
    assert first.created and first.send
    again = store.submit_job("h3", "renamed.txt", ".txt", b"x", None)
    assert not again.created and again.job.id == first.job.id
    assert again.send  # still queued: its message may have been lost, so send one more
    store.claim_job(first.job.id, "m", "w", 2)
    assert not store.submit_job("h3", "c.txt", ".txt", b"x").send  # in work: leave it
    store.finish_job(first.job.id, "m", JobStatus.FAILED, "backend down")
    retry = store.submit_job("h3", "c.txt", ".txt", b"x")
    assert retry.send and retry.job.status == "queued" and retry.job.attempts == 0
    assert store.jobs_waiting() == 1 and store.queued_jobs() == [first.job.id]
    assert store.job_body(first.job.id) == b"x"
    with pytest.raises(UnknownReport):
        store.job(999)


def test_tokens_keep_only_a_hash_and_revoking_ends_them(store) -> None:
    token_id, secret = create_token(store, "  Alice   Li ", "reviewer")
    (record,) = store.tokens()
    assert record.name == "Alice Li" and record.secret_hash == hash_secret(secret)
    assert secret not in repr(record)
    who = authenticate(store, secret)
    assert who is not None and (who.token_id, who.name, who.role) == (
        token_id,
        "Alice Li",
        "reviewer",
    )
    assert authenticate(store, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert authenticate(store, "not-a-token") is None
    store.revoke_token(token_id)
    assert authenticate(store, secret) is None
    with pytest.raises(StoreError):
        create_token(store, "x", "superuser")
