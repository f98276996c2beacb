"""The benchmarks at a tiny scale: the generator makes what it is asked for, and every measured
command gives a non-empty answer equal to its raw-SQL floor's, computed or cached.

Runs `python -m benchmarks.smoke` in its own process: Hypothesis draws constants from every
local module loaded in the test process, so loading the benchmarks here would change what
the fuzzing tests generate.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.processes
def test_generator_counts_and_every_command_matches_its_floor(tmp_path):
    done = subprocess.run([sys.executable, "-m", "benchmarks.smoke", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["problems"] == [], report["problems"]
    assert done.returncode == 0, done.stderr[-2000:]
    counts, spec = report["counts"], report["spec"]
    for name in ("dialogues", "themes", "positions", "statements", "passages"):
        assert counts[name] == spec[name], name
    assert counts["states"] == 195
    assert report["every_meeting_detailed"]
    cases = report["cases"]
    assert {"dialogue list", "dialogue show year:", "theme list", "theme list dialogue:", "theme states theme:",
            "theme states theme: dialogue:", "state profile state:", "pillar explain pillar:", "sources",
            "ask question: (how many raised a theme in a year)", "ask question: (who spoke for)",
            "ask question: (what a state said in a year)", "ask question: (the year's report)",
            "ask question: (free text: passage search)"} <= set(cases)
    assert all(checked >= 2 for checked in cases.values()), cases
