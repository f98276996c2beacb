"""aiosqlite with one trip to its thread per statement.

aiosqlite runs each SQLite connection on a thread of its own, and every call
crosses to it and back. SQLAlchemy's adapter makes four such calls per statement
(open a cursor, execute, fetch the rows, close the cursor), and each costs about
a tenth of a millisecond on two cores, more than most of the bot's queries take
in SQLite: an answer that runs eight queries spent 3 ms waiting on threads. This
cursor does all four in one call (`python -m benchmarks`: an ORM query 0.79 →
0.36 ms; "what did X say in Y" p50 at synthetic scale 11.6 → 8.6 ms).

It reaches past public APIs in two places, each pinned by the tests that run every
query through it: aiosqlite's `Connection._execute` (runs a function on the
connection's thread; aiosqlite's own methods are built on it) and `_conn` (the
`sqlite3` connection it owns), and SQLAlchemy's adapter classes for aiosqlite,
which it subclasses (`_cursor_cls` picks the cursor). Server-side cursors
(`stream()`) keep SQLAlchemy's own.
"""

from __future__ import annotations

import collections
import sqlite3
from functools import partial
from typing import Any, Sequence

import aiosqlite
from sqlalchemy.dialects.sqlite import aiosqlite as sqlalchemy_aiosqlite
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Description = tuple[tuple[Any, ...], ...] | None


class OneTripCursor(sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement, rows and counts come back from the thread together."""

    __slots__ = ("_description", "_rowcount", "_lastrowid", "_arraysize")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor opened on the thread: each statement makes its own
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows: collections.deque[Any] = collections.deque()
        self._description: Description = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Description:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]  # what sqlite3 says, None before any insert

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        return None

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        run = partial(_execute, self._connection._conn, operation, () if parameters is None else parameters)
        try:
            self._description, rows, self._rowcount, self._lastrowid = await_(self._connection._execute(run))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._rows = collections.deque(rows)
        return None

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        run = partial(_execute_many, self._connection._conn, operation, seq_of_parameters)
        try:
            self._description, self._lastrowid = None, None
            self._rowcount = await_(self._connection._execute(run))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        return None


# On the connection's thread. Partials, so aiosqlite's DEBUG line names the statement and its
# values, as it does for its own calls (off unless LOG_SQL_PARAMETERS, bot/logs.py).
def _execute(raw: sqlite3.Connection, operation: str, parameters: Any) -> tuple[Description, list[Any], int, int | None]:
    cursor = raw.cursor()
    try:
        cursor.execute(operation, parameters)
        description = cursor.description
        return description, cursor.fetchall() if description else [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _execute_many(raw: sqlite3.Connection, operation: str, seq_of_parameters: Sequence[Any]) -> int:
    cursor = raw.cursor()
    try:
        cursor.executemany(operation, seq_of_parameters)
        return cursor.rowcount
    finally:
        cursor.close()


class OneTripConnection(sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


class OneTripDBAPI(sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (`create_async_engine(module=…)`)."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
