"""The bot as a process of its own (`python -m bot` through `tests.discord_double.launch`), against a double in this loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

START_TIMEOUT = 30.0  # imports, store check, chart worker, login, identify: a few seconds on a busy machine
STOP_TIMEOUT = 20.0


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)  # stderr, line by line (the log)
    _reader: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    async def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, timeout)
        return code

    async def terminate(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, then the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return await self.wait(timeout)

    async def stop(self) -> None:
        """Ends the process whatever state it is in: SIGTERM (so its chart worker stops too), SIGKILL if that fails."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None and not self._reader.done():
            try:  # a worker process it left behind may hold stderr open
                await asyncio.wait_for(asyncio.shield(self._reader), 2.0)
            except asyncio.TimeoutError:
                self._reader.cancel()

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines if line.strip()]

    async def wait_for_log(self, text: str, timeout: float = START_TIMEOUT) -> None:
        """Until a log line contains `text` (or the process ends)."""
        async def seen() -> None:
            while not any(text in line for line in self.lines):
                if self.process.returncode is not None:
                    raise AssertionError(f"the bot exited ({self.process.returncode}) before logging {text!r}:\n"
                                         + "\n".join(self.lines[-20:]))
                await asyncio.sleep(0.05)

        await asyncio.wait_for(seen(), timeout)


async def start_bot(port: int, work_dir: Path, *args: str, **settings: str) -> BotProcess:
    """`python -m bot [args]` pointed at the double on `port`, with `settings` as environment variables (upper-cased).

    It runs in `work_dir` so that no `.env` of the developer's is read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "SHARD_", "LOG_"))}
    env.update({k.upper(): v for k, v in settings.items()})
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("CONSOLE_OUTPUT_DIR", str(work_dir / "out"))
    env.setdefault("CHART_WORKER_AT_START", "false")  # no chart here: 2 s of CPU saved per process on a busy machine
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.discord_double.launch", str(port), *args, cwd=work_dir, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    running = BotProcess(process)
    running._reader = asyncio.create_task(running._read(), name=f"bot-{process.pid}-stderr")
    return running


async def sync_commands(double: Any) -> None:
    """Registers the bot's slash commands with the double as `python -m bot sync` does (one PUT), from the bot's tree."""
    import aiohttp

    from bot.client import BriefingBot, extension_names
    from bot.config import Settings

    bot = BriefingBot(Settings(_env_file=None))
    try:
        for name in extension_names():
            await bot.load_extension(name)
        payload = [command.to_dict(bot.tree) for command in bot.tree.get_commands()]
    finally:
        await bot.close()
    async with aiohttp.ClientSession() as http:
        async with http.put(f"{double.base}/applications/{double.application_id}/commands", json=payload) as answer:
            answer.raise_for_status()
