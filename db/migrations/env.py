"""Alembic environment: runs on the application's connection, or on DATABASE_URL from the CLI."""

from __future__ import annotations

import asyncio

from alembic import context

from db.schema import include_object, metadata

target_metadata = metadata


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_on(url: str) -> None:
    # The application's own async driver (aiosqlite or asyncpg), so any DATABASE_URL the bot takes works here
    from db.engine import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_configure)
    finally:
        await engine.dispose()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    from bot.config import get_settings

    asyncio.run(_run_on(get_settings().database_url))


run()
