"""The example host store (examples/sqlite_store.py): compare-and-set loses no event."""

from __future__ import annotations

import importlib.util
import sys
import threading
from datetime import timedelta
from pathlib import Path
from types import ModuleType

from leadflow.lifecycle import HandoffEvent, LeadRecord, advance, new_lead

from .helpers import T0

EXAMPLE = Path(__file__).parents[2] / "examples" / "sqlite_store.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sqlite_store_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_eight_writer_threads_lose_no_event(tmp_path: Path) -> None:
    store = _example().SqliteLeadStore(str(tmp_path / "leads.db"))
    threads, per_thread = 8, 10
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                # same instant, distinct keys: every attempt is its own fact, none is late
                event = HandoffEvent("contact_attempt", T0, "sales", idempotency_key=f"w{n}-{i}")
                store.apply("L-1", event, now=T0)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    record = store.load("L-1")
    assert record is not None
    assert record.version == threads * per_thread
    assert record.attempts == threads * per_thread
    keys = {step.event.idempotency_key for step in record.history}
    assert len(keys) == threads * per_thread


def test_a_stale_write_is_refused_and_the_retry_applies(tmp_path: Path) -> None:
    store = _example().SqliteLeadStore(str(tmp_path / "leads.db"))
    first = HandoffEvent("engage", T0, "marketing")
    record, _ = store.apply("L-2", first)
    # a second writer read version 1 too and got there first
    other, _ = advance(record, HandoffEvent("contact_attempt", T0 + timedelta(hours=1), "sales"))
    assert store.save(other, expected_version=record.version)
    mine, _ = advance(record, HandoffEvent("contact_attempt", T0 + timedelta(hours=2), "sales"))
    assert not store.save(mine, expected_version=record.version)
    again, _ = store.apply("L-2", HandoffEvent("contact_attempt", T0 + timedelta(hours=2), "sales"))
    assert again.version == 3
    assert store.load("L-2") == again
    assert isinstance(LeadRecord.from_json(again.to_json()), LeadRecord)
    assert new_lead("L-3").version == 0
