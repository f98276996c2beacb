"""A large write rehearsed on a private copy of the SQLite store, then replayed onto the store at once.

SQLite has one writer at a time. An import of thousands of rows runs the same code
as single admin changes (validation, audit, seed corrections), which takes seconds:
holding the write lock that long would make every other write wait or fail. So the
work runs on a copy made with SQLite's online backup (a read: no write lock), with
its writes recorded. The dry run ends there. Applying replays the recorded writes
in one short write transaction, if the store has not changed since the copy
(`fingerprint`); otherwise the caller rehearses again on a fresh copy.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from db.engine import BUSY_TIMEOUT_MS, WRITE_OPTION, sync_sqlite_engine

T = TypeVar("T")
Fingerprint = Callable[[Connection], tuple[Any, ...]]


@dataclass
class Rehearsal(Generic[T]):
    result: T
    fingerprint: tuple[Any, ...]  # the store as the copy found it
    writes: list[tuple[str, Any, bool]] = field(default_factory=list)  # (SQL, parameters, executemany)


class _Recorder:
    """Records the writes that stay: those of a savepoint rolled back are dropped with it."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, Any, bool]] = []
        self._savepoints: list[tuple[str, int]] = []

    def __call__(self, _conn, _cursor, statement: str, parameters: Any, _context, executemany: bool) -> None:  # type: ignore[no-untyped-def]
        verb = statement.lstrip()[:24].upper()
        if verb.startswith("SAVEPOINT"):
            self._savepoints.append((statement.split()[-1], len(self.writes)))
        elif verb.startswith("RELEASE"):
            self._pop(statement.split()[-1])
        elif verb.startswith("ROLLBACK TO"):
            del self.writes[self._pop(statement.split()[-1]):]
        elif verb.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
            # "insertmanyvalues" batches report executemany with one statement's flat parameters
            many = executemany and bool(parameters) and isinstance(parameters[0], (tuple, list))
            rows = [tuple(p) for p in parameters] if many else tuple(parameters or ())
            self.writes.append((statement, rows, many))

    def _pop(self, name: str) -> int:
        while self._savepoints:
            saved, at = self._savepoints.pop()
            if saved == name:
                return at
        raise RuntimeError(f"savepoint {name} was never opened")


def rehearse(database: str, work: Callable[[Session], T], fingerprint: Fingerprint) -> Rehearsal[T]:
    """Runs `work` on an in-memory copy of the store; its writes are recorded, then rolled back."""
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    source = sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        source.backup(copy)
    finally:
        source.close()
    engine = sync_sqlite_engine(lambda: copy)
    recorder = _Recorder()
    try:
        with Session(engine) as session:
            found = fingerprint(session.connection())
            event.listen(engine, "before_cursor_execute", recorder)
            result = work(session)
            session.rollback()
        return Rehearsal(result, found, recorder.writes)
    finally:
        engine.dispose()
        copy.close()


def replay(database: str, rehearsal: Rehearsal[Any], fingerprint: Fingerprint,
           then: Callable[[Connection], None] | None = None) -> bool:
    """Replays the rehearsed writes in one write transaction; False (nothing written) if the store changed."""
    engine = sync_sqlite_engine(
        lambda: sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    )
    try:
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            if fingerprint(conn) != rehearsal.fingerprint:
                return False
            for statement, parameters, _ in rehearsal.writes:
                conn.exec_driver_sql(statement, parameters)
            if then is not None:
                then(conn)
        return True
    finally:
        engine.dispose()
