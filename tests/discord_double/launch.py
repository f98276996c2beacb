"""`python -m tests.discord_double.launch PORT [bot arguments]`: `python -m bot` itself, pointed at the double on PORT.

Everything else is the real start: settings from the environment, logging, signals,
exit codes. Only discord.py's two addresses (REST base, default gateway) are replaced,
as `tests.discord_double.harness.point_discord_py_at` does in process, and the bot waits
0.05 s instead of 2 s for more servers after READY (`harness.make_bot` does the same):
the double sends every server at once.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from types import SimpleNamespace

    from bot.__main__ import main as bot_main
    from bot.client import BriefingBot
    from tests.discord_double.harness import point_discord_py_at

    setup_hook = BriefingBot.setup_hook

    async def quick_ready(bot: BriefingBot) -> None:
        bot._connection.guild_ready_timeout = 0.05
        await setup_hook(bot)

    BriefingBot.setup_hook = quick_ready  # type: ignore[method-assign]

    port = int(argv[0])
    where = SimpleNamespace(base=f"http://127.0.0.1:{port}/api/v10", gateway_url=f"ws://127.0.0.1:{port}/gateway")
    point_discord_py_at(where, SimpleNamespace(setattr=setattr))
    return bot_main(argv[1:])


if __name__ == "__main__":  # not when the chart worker (multiprocessing's spawn) imports this module again
    sys.exit(main(sys.argv[1:]))
