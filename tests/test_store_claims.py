"""Claiming work: two workers never hold one item; a dead worker's item is retried once; on
Postgres a claim skips rows another transaction holds instead of waiting for them."""

from __future__ import annotations

import threading

import pytest

from nianbao.store import LostClaim, StoreError, open_store
from nianbao.store.location import libpq_url


@pytest.fixture
def store(store_target):
    with open_store(store_target) as s:
        yield s


def test_enqueue_is_idempotent_and_claims_go_oldest_first(store) -> None:
    first = store.enqueue("a", {"path": "/in/a.txt"})
    assert store.enqueue("a", {"path": "/elsewhere"}) == first  # resubmitted: the same item
    store.enqueue("b")
    (got,) = store.claim("w1")
    assert (got.key, got.payload, got.state, got.worker, got.attempts) == (
        "a",
        {"path": "/in/a.txt"},
        "claimed",
        "w1",
        1,
    )
    assert [i.key for i in store.claim("w2", limit=5)] == ["b"]
    assert store.claim("w3") == []  # both held
    done = store.finish(got.id, "w1", result_id=None)
    assert done.state == "done" and done.lease_until is None
    assert store.work_counts() == {"queued": 0, "claimed": 1, "done": 1, "failed": 0}
    with pytest.raises(LostClaim, match="no longer claimed by w1"):
        store.finish(got.id, "w1")
    with pytest.raises(StoreError, match="worker's name"):
        store.claim(" ")


def test_a_claim_by_key_takes_only_that_item(store) -> None:
    for key in ("a", "b", "c"):
        store.enqueue(key)
    assert [i.key for i in store.claim("w1", key="b")] == ["b"]
    assert store.claim("w2", key="b") == []  # the message was delivered twice: skip it
    assert [i.key for i in store.claim("w2", limit=5)] == ["a", "c"]


def test_a_dead_workers_item_is_retried_once_then_failed(store) -> None:
    store.enqueue("job")
    # A lease already over (-1 s): as if the worker died holding it; no waiting on a clock.
    (first,) = store.claim("dies", lease_seconds=-1)
    (again,) = store.claim("survivor", lease_seconds=-1)
    assert (again.id, again.attempts, again.worker) == (first.id, 2, "survivor")
    with pytest.raises(LostClaim, match="survivor"):  # the dead one cannot finish it now
        store.finish(first.id, "dies")
    assert store.claim("third") == []  # two attempts used: not handed out a third time
    item = store.work_item("job")
    assert item.state == "failed" and "lease ran out 2 time(s)" in item.error


def test_renew_and_release(store) -> None:
    store.enqueue("job")
    (item,) = store.claim("w1", lease_seconds=-1)
    renewed = store.renew(item.id, "w1", lease_seconds=600)
    assert renewed.lease_until > item.lease_until
    assert store.claim("w2") == []  # renewed in time: still w1's
    back = store.release(item.id, "w1")
    assert (back.state, back.worker, back.attempts) == ("queued", None, 0)
    (taken,) = store.claim("w2")
    assert taken.attempts == 1 and store.finish(taken.id, "w2", error="bad file").state == "failed"


def test_workers_claiming_at_once_never_share_an_item(store_target) -> None:
    n_items, workers = 60, 4
    with open_store(store_target) as store:
        for n in range(n_items):
            store.enqueue(f"item-{n:03d}")
    stores = [open_store(store_target) for _ in range(workers)]
    start = threading.Barrier(workers)
    taken: dict[str, list[str]] = {f"w{n}": [] for n in range(workers)}
    errors: list[BaseException] = []

    def work(name: str, store) -> None:
        start.wait()
        try:
            while items := store.claim(name, limit=2):
                for item in items:
                    taken[name].append(item.key)
                    store.finish(item.id, name)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{n}", s)) for n, s in enumerate(stores)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
    finally:
        for s in stores:
            s.close()
    assert not errors, errors
    every = [k for keys in taken.values() for k in keys]
    assert sorted(every) == [f"item-{n:03d}" for n in range(n_items)]  # each exactly once
    with open_store(store_target) as store:
        assert store.work_counts()["done"] == n_items


def test_postgres_claims_skip_rows_another_transaction_holds(pg_cluster) -> None:
    import psycopg

    url = pg_cluster.new_database()
    with open_store(url) as store:
        first, second = store.enqueue("first"), store.enqueue("second")
        with psycopg.connect(libpq_url(url)) as other:  # a worker mid-claim on "first"
            other.execute("SELECT id FROM work_items WHERE id = %s FOR UPDATE", (first.id,))
            # were the claim to wait for that lock it would fail here, not hang
            store.db.conn.execute("SET lock_timeout = '20s'")
            (got,) = store.claim("w2")
            assert got.id == second.id
            other.rollback()
        assert [i.id for i in store.claim("w3")] == [first.id]


def test_a_postgres_store_outlives_its_connection_being_dropped(pg_cluster) -> None:
    """The server ends the store's session (as a restart does): the next call reconnects."""
    import psycopg

    url = pg_cluster.new_database()
    with open_store(url) as store:
        store.enqueue("before")
        pid = store.db.conn.raw.info.backend_pid
        with psycopg.connect(libpq_url(url), autocommit=True) as admin:
            # waits (up to 60 s) until that backend has exited: no race with the next call
            admin.execute("SELECT pg_terminate_backend(%s, 60000)", (pid,))
        with pytest.raises(psycopg.OperationalError):  # the call in flight fails, once
            store.work_counts()
        store.enqueue("after")  # the next one opens a new session
        assert store.work_counts()["queued"] == 2
        assert store.db.conn.raw.info.backend_pid != pid
