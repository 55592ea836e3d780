"""A host store for lifecycle records on sqlite (standard library) with compare-and-set.

leadflow keeps no state: a webhook handler reads a lead's record, applies an event with
``advance`` and writes the new record back. Two handlers running at once for the same lead
would each write their own new record, and the later write would silently drop the earlier
event. This store refuses the later write instead: a record is written only if the stored
version is still the one that was read (``UPDATE ... WHERE version = ?``), and
:meth:`SqliteLeadStore.apply` reloads and retries when it lost the race. Copy it and adapt it
to your database; ``tests/lifecycle/test_sqlite_store.py`` runs it with 8 writer threads.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

from leadflow.lifecycle import (
    DEFAULT_GRAPH,
    Graph,
    HandoffEvent,
    LeadRecord,
    Step,
    advance,
    new_lead,
)

SCHEMA = """
create table if not exists lead_records (
    lead_id text primary key,
    version integer not null,
    record  text not null
)
"""


class SqliteLeadStore:
    """Lifecycle records in one sqlite table, one connection per thread."""

    def __init__(self, path: str, graph: Graph = DEFAULT_GRAPH) -> None:
        self.path = path
        self.graph = graph
        self._local = threading.local()
        with self._connection() as db:
            db.execute(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            # autocommit; timeout: wait for a writer holding the lock instead of failing
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._local.db = db
        return db

    def load(self, lead_id: str) -> LeadRecord | None:
        """The stored record, verified against the graph on the way in; ``None`` if unknown."""
        row = (
            self._connection()
            .execute("select record from lead_records where lead_id = ?", (lead_id,))
            .fetchone()
        )
        return None if row is None else LeadRecord.from_json(row[0], graph=self.graph)

    def save(self, record: LeadRecord, expected_version: int | None) -> bool:
        """Write ``record`` if the stored one is at ``expected_version`` (``None``: not stored).

        Returns whether it was written; ``False`` means another writer got there first.
        """
        db = self._connection()
        if expected_version is None:
            cursor = db.execute(
                "insert or ignore into lead_records (lead_id, version, record) values (?, ?, ?)",
                (record.lead_id, record.version, record.to_json()),
            )
        else:
            cursor = db.execute(
                "update lead_records set version = ?, record = ? where lead_id = ? and version = ?",
                (record.version, record.to_json(), record.lead_id, expected_version),
            )
        return cursor.rowcount == 1

    def apply(
        self, lead_id: str, event: HandoffEvent, *, now: datetime | None = None, retries: int = 100
    ) -> tuple[LeadRecord, Step]:
        """Apply ``event`` to the stored lead (created in the graph's initial stage if unknown).

        Reload and retry when another writer changed the lead in between: no event is lost,
        and a retried event that was applied meanwhile comes back as a duplicate.

        Raises:
            TransitionError: the event is refused (as ``advance``).
            RuntimeError: still losing the race after ``retries`` attempts.
        """
        for _ in range(retries):
            stored = self.load(lead_id)
            record = new_lead(lead_id, graph=self.graph) if stored is None else stored
            expected = None if stored is None else stored.version
            new, step = advance(record, event, self.graph, now=now, expected_version=record.version)
            if new is record or self.save(new, expected):
                return new, step
        raise RuntimeError(f"lead {lead_id!r}: lost the race {retries} times")
