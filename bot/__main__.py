"""`python -m bot` runs the bot; `python -m bot sync` registers commands; `python -m bot console` works offline."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when used: the chart worker process imports this module too
    from bot.config import Settings

NO_TOKEN = (
    "DISCORD_TOKEN is not set: put the bot token in .env (see .env.example), "
    "or try the bot offline with `./manage.sh console`."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="RtoP dialogues briefing bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord (the default)")
    sync = sub.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=int, help="sync to one server (appears at once) instead of globally")
    sub.add_parser("migrate", help="migrate and seed the database, then exit (before starting several shards)")
    console = sub.add_parser("console", help="run commands offline, without a token")
    console.add_argument("-c", dest="commands", action="append", default=[], metavar="COMMAND",
                         help='run one command and exit, e.g. -c "/dialogue show year:2014" (repeatable)')
    console.add_argument("--guild", type=int, default=None, metavar="ID",
                         help="act in this server (default: the console's own), to try one server's records")
    backup = sub.add_parser("backup", help="back the SQLite store up now (into backups/ next to it)")
    backup.add_argument("--list", action="store_true", help="list the backups instead, the newest first")
    restore = sub.add_parser("restore", help="replace the store with a backup (stop the bot first)")
    restore.add_argument("file", nargs="?", help="a backup file or its name in backups/ (default: the newest)")
    return parser


async def _run(settings: Settings, token: str) -> None:
    from bot import lifecycle
    from bot.client import BriefingBot
    from bot.render.chart import DRAWER

    if settings.chart_worker_at_start:
        DRAWER.start()  # the chart worker imports matplotlib while the bot connects
    await lifecycle.run(BriefingBot(settings), token, grace=settings.shutdown_grace_seconds)


async def _sync(settings: Settings, token: str, guild_id: int | None) -> None:
    import discord

    from bot.client import BriefingBot

    bot = BriefingBot(settings)
    async with bot:
        # login (not connect) fetches the application id and runs setup_hook, which loads the cogs
        await bot.login(token)
        target = guild_id or settings.dev_guild_id
        if target:
            guild = discord.Object(target)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            print(f"Synced {len(synced)} commands to server {target} (available now).")
        else:
            synced = await bot.tree.sync()
            print(f"Synced {len(synced)} global commands (Discord may take up to an hour to show them everywhere).")


def _backups(settings: Settings, args: argparse.Namespace) -> int:
    """`backup`, `backup --list` and `restore [FILE]`: file work on the SQLite store, no Discord."""
    from db import backups

    store = backups.sqlite_file(settings.database_url)
    if store is None:
        print("Backups here are for a SQLite store (DATABASE_URL is another database: use its own tools, "
              "e.g. pg_dump).", file=sys.stderr)
        return 2
    if args.command == "backup" and args.list:
        found = backups.list_backups(store)
        for path in found:
            print(path)
        if not found:
            print(f"No backups of {store} yet in {backups.folder(store)}.")
        return 0
    if args.command == "backup":
        if not store.exists():
            print(f"There is no store at {store} to back up.", file=sys.stderr)
            return 2
        print(f"Backed up {store} to {backups.take(store, 'manual', keep=settings.backup_keep)}.")
        return 0
    chosen = backups.find(store, args.file)
    kept = backups.restore(store, chosen, keep=settings.backup_keep)
    print(f"Restored {store} from {chosen}." + (f" The store as it was is kept as {kept}." if kept else ""))
    return 0


def _file_work(settings: Settings, args: argparse.Namespace) -> int:
    import sqlite3

    from db.backups import sqlite_file
    from db.storage import StoreUnavailable, fault_of

    try:
        return _backups(settings, args)
    except (OSError, sqlite3.Error) as error:
        fault = fault_of(error)
        where = str(sqlite_file(settings.database_url))
        raise StoreUnavailable(fault.line(where) if fault else f"{args.command} failed: {error}") from error
async def _migrate(settings: Settings) -> None:
    from sqlalchemy.engine import make_url

    from db import migrate
    from db.store import open_store

    store = await open_store(settings.database_url)
    try:
        revision = await migrate.current_revision(store.engine)
    finally:
        await store.close()
    report = store.seed_report
    seeded = "unchanged" if report is None or report.skipped else f"{report.inserted} added, {report.updated} updated"
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"{where}: at migration {revision}; seed data {seeded}.")


def main(argv: list[str] | None = None) -> int:
    """Runs a command. A store the bot cannot use, or a setting that is wrong, ends it with one line saying
    why and exit code 2; Discord refusing the token or out of reach, likewise with 3 or 4 (`bot.lifecycle`)."""
    from pydantic import ValidationError

    from db.storage import StoreUnavailable

    try:
        return _main(argv)
    except StoreUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']).upper() or 'settings'}: {e['msg']}"
                             for e in error.errors())
        print(f"A setting in .env or the environment is wrong ({problems}); see .env.example.", file=sys.stderr)
        return 2


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    from bot.config import get_settings

    settings = get_settings()
    command = args.command or "run"
    from bot import logs

    if command in ("backup", "restore"):
        logs.setup(settings, quiet=True)
        return _file_work(settings, args)
    if command == "console":
        from bot.console import GUILD_ID, run_console

        logs.setup(settings, quiet=True)
        guild = args.guild if args.guild is not None else GUILD_ID
        return asyncio.run(run_console(settings, args.commands, interactive=not args.commands, guild_id=guild))
    if command == "migrate":
        logs.setup(settings, quiet=True)
        asyncio.run(_migrate(settings))
        return 0
    if settings.discord_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    logs.setup(settings)
    from bot.lifecycle import CannotStart, cannot_start

    try:
        if command == "sync":
            asyncio.run(_sync(settings, settings.discord_token.get_secret_value(), args.guild))
        else:
            asyncio.run(_run(settings, settings.discord_token.get_secret_value()))
    except CannotStart as error:
        print(error.line, file=sys.stderr)
        return error.exit_code
    except Exception as error:
        explained = cannot_start(error)  # sync logs in without the signal handling of `run`
        if explained is None:
            raise
        print(explained.line, file=sys.stderr)
        return explained.exit_code
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
