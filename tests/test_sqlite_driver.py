"""The SQLite store's cursor (db/sqlite_driver.py): one trip to aiosqlite's thread per statement, nothing else changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, exc, insert, select, text

from db.engine import create_engine
from db.sqlite_driver import OneTripCursor
from tests.conftest import ON_POSTGRESQL, sqlite_url

pytestmark = pytest.mark.skipif(ON_POSTGRESQL, reason="the SQLite driver")

ROWS = Table("probe", MetaData(), Column("id", Integer, primary_key=True), Column("name", String, unique=True))


@pytest.fixture
async def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(sqlite_url(tmp_path / "driver.sqlite3"))
    async with engine.begin() as conn:
        await conn.run_sync(ROWS.metadata.create_all)
    yield engine
    await engine.dispose()


async def test_every_statement_goes_through_the_one_trip_cursor(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection.cursor(), OneTripCursor)


async def test_rows_counts_and_new_ids_come_back_as_sqlalchemy_expects(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.begin() as conn:
        first = await conn.execute(insert(ROWS).values(name="Ghana"))
        assert first.inserted_primary_key == (1,)
        many = await conn.execute(insert(ROWS), [{"name": "Brazil"}, {"name": "Peru"}, {"name": "Chile"}])
        assert many.rowcount == 3
        updated = await conn.execute(text("UPDATE probe SET name = name || '!' WHERE id > 2"))
        assert updated.rowcount == 2
    async with engine.connect() as conn:
        result = await conn.execute(select(ROWS.c.id, ROWS.c.name).order_by(ROWS.c.id))
        assert list(result.keys()) == ["id", "name"]
        assert [tuple(r) for r in result] == [(1, "Ghana"), (2, "Brazil"), (3, "Peru!"), (4, "Chile!")]
        assert (await conn.execute(select(ROWS.c.name).where(ROWS.c.id == 99))).first() is None
        streamed = [row.name async for row in await conn.stream(select(ROWS.c.name).order_by(ROWS.c.id))]
        assert streamed == ["Ghana", "Brazil", "Peru!", "Chile!"]


async def test_database_errors_are_sqlalchemys_and_leave_the_connection_usable(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        await conn.execute(insert(ROWS).values(name="Ghana"))
        with pytest.raises(exc.IntegrityError):
            await conn.execute(insert(ROWS).values(name="Ghana"))
        with pytest.raises(exc.OperationalError):
            await conn.execute(text("SELECT * FROM no_such_table"))
        assert await conn.scalar(select(ROWS.c.name)) == "Ghana"
        await conn.rollback()
        assert await conn.scalar(select(ROWS.c.name)) is None
