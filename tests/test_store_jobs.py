"""The store's job and token records, on SQLite and Postgres: who may work on a job, when."""

from __future__ import annotations

import pytest

from nianbao.service.tokens import authenticate, create_token, hash_secret
from nianbao.store import JobStatus, LostClaim, StoreError, UnknownReport, open_store
from nianbao.store.jobs import job_key


@pytest.fixture
def store(store_target):
    with open_store(store_target) as s:
        yield s


def test_a_job_is_claimed_through_its_work_item_by_one_worker_at_a_time(store) -> None:
    job = store.submit_job("h1", "a.txt", ".txt", b"bytes").job
    assert store.work_item(job_key(job.id)).payload == {"job": job.id}  # one mechanism
    first = store.take_job(job.id, "host:1", lease_seconds=60)
    assert first.job is not None and first.job.attempts == 1 and first.job.worker == "host:1"
    assert first.job.status == JobStatus.RUNNING
    # a second delivery while host:1's lease is live: not taken, looked at again at its end
    second = store.take_job(job.id, "host:2", lease_seconds=60)
    assert second.job is None and second.look_again_at == first.job.lease_until
    assert "in work by host:1" in second.reason
    # host:1 is killed: its lease runs out (here: expire it, as a lapse would)
    store.expire_job(job.id, "host:1")
    again = store.take_job(job.id, "host:3", lease_seconds=60)
    assert again.job is not None and again.job.attempts == 2 and again.job.worker == "host:3"
    assert not store.finish_job(job.id, "host:1", None)  # the dead worker's close: refused
    # host:3 dies too: the job is failed, not looped on forever
    store.expire_job(job.id, "host:3")
    third = store.take_job(job.id, "host:4", lease_seconds=60)
    assert third.job is None and third.look_again_at is None
    assert store.job(job.id).status == JobStatus.FAILED
    assert "lease ran out 2 time(s)" in (store.job(job.id).error or "")


def test_a_live_worker_renews_its_lease_and_a_done_job_is_never_taken_again(store) -> None:
    job = store.submit_job("h2", "b.txt", ".txt", b"x").job
    taken = store.take_job(job.id, "w", lease_seconds=5).job
    assert taken is not None
    store.renew_job(job.id, "w", lease_seconds=600)
    assert store.job(job.id).lease_until > (taken.lease_until or "")
    with pytest.raises(LostClaim):
        store.renew_job(job.id, "someone-else", lease_seconds=600)
    assert store.finish_job(job.id, "w", None)
    assert store.job(job.id).status == JobStatus.DONE
    gone = store.take_job(job.id, "w2")
    assert gone.job is None and gone.look_again_at is None and "already done" in gone.reason
    assert store.take_job(999, "w").job is None


def test_same_content_is_one_job_and_a_failed_one_is_queued_again(store) -> None:
    first = store.submit_job("h3", "c.txt", ".txt", b"x", None)
    assert first.created and first.send
    again = store.submit_job("h3", "renamed.txt", ".txt", b"x", None)
    assert not again.created and again.job.id == first.job.id
    assert again.send  # still queued: its message may have been lost, so send one more
    store.take_job(first.job.id, "w")
    assert not store.submit_job("h3", "c.txt", ".txt", b"x").send  # in work: leave it
    assert store.jobs_waiting() == 1 and store.queued_jobs() == []
    store.finish_job(first.job.id, "w", "backend down")
    assert store.job(first.job.id).status == JobStatus.FAILED
    retry = store.submit_job("h3", "c.txt", ".txt", b"x")
    assert retry.send and retry.job.status == "queued" and retry.job.attempts == 0
    assert store.jobs_waiting() == 1 and store.queued_jobs() == [first.job.id]
    assert store.job_counts() == {"queued": 1, "running": 0, "done": 0, "failed": 0}
    assert store.job_body(first.job.id) == b"x"
    with pytest.raises(UnknownReport):
        store.job(999)


def test_a_job_whose_worker_died_is_listed_to_send_again(store) -> None:
    """Redis lost the queue and the worker died: the store still knows the job needs a
    delivery (the requeue endpoint sends one)."""
    job = store.submit_job("h4", "d.txt", ".txt", b"y").job
    store.take_job(job.id, "w", lease_seconds=60)
    assert store.queued_jobs() == []
    store.expire_job(job.id, "w")
    assert store.queued_jobs() == [job.id]


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
