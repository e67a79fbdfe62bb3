"""Smoke test of the benchmarks: ``bench/run.py`` runs and prints its readable line.

No timing is asserted: benchmarks report, they never gate on wall-clock time.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import ROOT

LINE = re.compile(r"^(\w+): ratio=(\S+) target=(\S+) (ok|short|skipped)$")


@pytest.mark.slow
def test_quick_client_overhead_prints_a_readable_line() -> None:
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--only", "client_overhead"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if LINE.match(line)]
    assert len(lines) == 1, done.stdout
    match = LINE.match(lines[0])
    assert match is not None
    name, ratio, target, status = match.groups()
    assert name == "client_overhead"
    assert status in ("ok", "short")
    assert float(ratio) > 0
    assert target.startswith("<")
    assert "results files not written" in done.stdout  # a quick run leaves results alone
