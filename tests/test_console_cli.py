"""`python -m bot` entry points: the console's output and exit codes, and the missing-token line."""

from __future__ import annotations

import pytest

from bot import __main__ as entry
from bot.config import get_settings


@pytest.fixture
def env(monkeypatch, db_url, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CONSOLE_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("DISCORD_TOKEN", "")
    monkeypatch.chdir(tmp_path)  # no .env here
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_console_runs_one_command_and_prints_plain_text(env, capsys):
    status = entry.main(["console", "-c", "/theme states theme:prevention dialogue:2014"])
    out = capsys.readouterr().out
    assert status == 0
    assert "# Who raised “Prevention as the cornerstone” in 2014" in out
    assert "European Union, Costa Rica, Latvia" in out
    assert "Sources: [1] ICRtoP" in out
    assert "**" not in out


def test_console_prints_every_page_and_saved_attachments(env, capsys):
    status = entry.main(["console", "-c", "/theme list", "-c", "/theme chart dialogue:2014"])
    out = capsys.readouterr().out
    assert status == 0
    assert "--- page 1 of 2 ---" in out and "--- page 2 of 2 ---" in out
    saved = [line for line in out.splitlines() if line.startswith("[attachment saved: ")]
    assert len(saved) == 1
    path = saved[0].removeprefix("[attachment saved: ").rstrip("]")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_console_saves_a_briefing_notes_files_under_the_output_dir_and_prints_their_paths(env, capsys):
    status = entry.main(["console", "-c", "/brief dialogue year:2014"])
    out = capsys.readouterr().out
    assert status == 0
    saved = [line.removeprefix("[attachment saved: ").rstrip("]") for line in out.splitlines()
             if line.startswith("[attachment saved: ")]
    assert [p.rsplit(".", 1)[1] for p in saved] == ["pdf", "md"]
    assert all(p.startswith(str(env / "out")) for p in saved)
    assert open(saved[0], "rb").read(5) == b"%PDF-"
    assert open(saved[1], encoding="utf-8").read().startswith("# 2014 — ")


def test_console_exits_non_zero_on_an_error_reply(env, capsys):
    assert entry.main(["console", "-c", "/state profile state:Atlantis"]) == 1
    assert "Unknown state or organisation" in capsys.readouterr().out
    assert entry.main(["console", "-c", "/nonsense"]) == 2
    assert "Unknown command" in capsys.readouterr().err


def test_running_without_a_token_names_the_setting(env, capsys):
    assert entry.main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "DISCORD_TOKEN" in err[0] and ".env.example" in err[0] and "console" in err[0]
    assert entry.main(["sync"]) == 2
    assert "./manage.sh console" in err[0]


@pytest.mark.parametrize("flag", ["--help", "-h", "help"])
def test_manage_sh_prints_usage_without_setting_up(tmp_path, flag):
    """A newcomer's first try: no .venv is made and no Python is needed for the usage."""
    import shutil
    import subprocess
    from pathlib import Path

    script = tmp_path / "manage.sh"
    shutil.copy(Path(__file__).parent.parent / "manage.sh", script)
    done = subprocess.run(["bash", str(script), flag], capture_output=True, text=True, timeout=10,
                          env={"PATH": "/usr/bin:/bin", "PYTHON": "/nonexistent/python"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: ./manage.sh") and "console" in done.stdout and "test" in done.stdout
    assert not (tmp_path / ".venv").exists()
