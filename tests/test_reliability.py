"""Bounded runs of the stress scripts in tests/stress/, so CI exercises them on every change.

The full runs (50 killed builds, long fuzzing, 60-second load tests) are documented with their
results in docs/reliability.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from stress.crash import run as kill_builds


@pytest.mark.slow
def test_killed_builds_and_updates_lose_nothing(tmp_path: Path) -> None:
    lines: list[str] = []
    outcome = kill_builds(runs=6, records=100, seed=7, workdir=tmp_path, say=lines.append)
    assert outcome.failures == [], "\n".join(lines)
    assert outcome.runs == 6 and len(lines) == 6
    assert outcome.killed_running >= 1  # at least one kill landed mid-build
    assert outcome.reader_searches > 0 and outcome.reader_failures == 0
