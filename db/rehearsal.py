"""A large write rehearsed on a private copy of the SQLite store, then replayed onto the store at once.

SQLite has one writer at a time. An import of thousands of rows runs the same code
as single admin changes (validation, audit, seed corrections), which takes seconds:
holding the write lock that long would make every other write wait or fail. So the
work runs on a copy made with SQLite's online backup (a read: no write lock), with
its writes recorded. A dry run ends there. Applying replays the recorded writes in
one short write transaction. The replayed inserts get the ids they got on the copy
only while no other row was added to those tables since the copy was made, so the
replay checks that first (and the caller's own `check`), and writes nothing when
the store moved on: the caller then rehearses again on a fresh copy.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

from sqlalchemy import Connection, event, exc
from sqlalchemy.orm import Session

from db.engine import BUSY_TIMEOUT_MS, WRITE_OPTION, sync_sqlite_engine

T = TypeVar("T")
Check = Callable[[Connection], Any]
_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class Rehearsal(Generic[T]):
    result: T
    checked: Any  # the caller's `check` of the store as the copy found it
    newest: dict[str, int | None] = field(default_factory=dict)  # written table -> its newest rowid on the copy
    writes: list[tuple[str, Any]] = field(default_factory=list)  # (SQL, parameters: a tuple, or a list of them)


class _Recorder:
    """Records the writes that stay: those of a savepoint rolled back are dropped with it."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, Any]] = []
        self._savepoints: list[tuple[str, int]] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                 executemany: bool) -> None:  # SQLAlchemy's before_cursor_execute arguments
        verb = statement.lstrip()[:24].upper()
        if verb.startswith("SAVEPOINT"):
            self._savepoints.append((statement.split()[-1], len(self.writes)))
        elif verb.startswith("RELEASE"):
            self._pop(statement.split()[-1])
        elif verb.startswith("ROLLBACK TO"):
            del self.writes[self._pop(statement.split()[-1]):]
        elif _TABLE.match(statement):
            # "insertmanyvalues" batches report executemany with one statement's flat parameters
            many = executemany and bool(parameters) and isinstance(parameters[0], (tuple, list))
            self.writes.append((statement, [tuple(p) for p in parameters] if many else tuple(parameters or ())))

    def _pop(self, name: str) -> int:
        while self._savepoints:
            saved, at = self._savepoints.pop()
            if saved == name:
                return at
        raise RuntimeError(f"savepoint {name} was never opened")

    def tables(self) -> set[str]:
        return {match.group(1) for statement, _ in self.writes if (match := _TABLE.match(statement))}


def _newest(conn: Connection, tables: set[str]) -> dict[str, int | None]:
    return {table: conn.exec_driver_sql(f'SELECT max(rowid) FROM "{table}"').scalar() for table in sorted(tables)}


def rehearse(database: str, work: Callable[[Session], T], check: Check) -> Rehearsal[T]:
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
            checked = check(session.connection())
            event.listen(engine, "before_cursor_execute", recorder)
            result = work(session)
            session.rollback()
            event.remove(engine, "before_cursor_execute", recorder)
            newest = _newest(session.connection(), recorder.tables())
        return Rehearsal(result, checked, newest, recorder.writes)
    finally:
        engine.dispose()
        copy.close()


def replay(database: str, rehearsal: Rehearsal[Any], check: Check, *, free_ids: tuple[str, ...] = (),
           then: Callable[[Connection], None] | None = None) -> bool:
    """Replays the rehearsed writes, then `then`, in one write transaction; False (nothing written) if the store
    moved on. `free_ids`: tables whose new rows' ids nothing refers to, which others may add to meanwhile."""
    engine = sync_sqlite_engine(
        lambda: sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    )
    try:
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
            transaction = conn.begin()
            bound = {t for t in rehearsal.newest if t not in free_ids}
            newest = {t: n for t, n in rehearsal.newest.items() if t in bound}
            if check(conn) != rehearsal.checked or _newest(conn, bound) != newest:
                transaction.rollback()
                return False
            try:
                driver = conn.connection.dbapi_connection
                assert driver is not None  # the connection is checked out: its driver connection is open
                cursor = driver.cursor()
                for statement, parameters in rehearsal.writes:  # thousands: straight to the driver
                    if isinstance(parameters, list):
                        cursor.executemany(statement, parameters)
                    else:
                        cursor.execute(statement, parameters)
                cursor.close()
                if then is not None:
                    then(conn)
            except (exc.IntegrityError, sqlite3.IntegrityError):  # a change made meanwhile clashes with the rehearsal
                transaction.rollback()
                return False
            transaction.commit()
        return True
    finally:
        engine.dispose()
