"""`make bench`: the monthly job at a million rows, side by side with a naive baseline.

`python -m roi_reports.bench` generates deterministic inputs under `.bench/` (once), then
times each variant in its own child process and prints wall time and peak memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

RESULT_PREFIX = "BENCH-RESULT "  # a child's last line: its measurements as JSON


def run_child_process(arguments: list[str], what: str) -> dict[str, Any]:
    """`python ARGUMENTS` in a fresh process; its result line, or exit saying `what` failed."""
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode or not lines:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{what} failed (exit code {done.returncode})")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    return result


def timing_table(heading: str, rows: list[tuple[str, float, float | None]], width: int) -> str:
    """Name, wall seconds and peak RSS per row; a blank RSS for the phase rows."""
    lines = [f"{heading:<{width}} {'wall s':>9} {'peak RSS MiB':>13}", "-" * (width + 24)]
    for name, wall, rss in rows:
        memory = f"{rss:>13.0f}" if rss is not None else f"{'':>13}"
        lines.append(f"{name:<{width}} {wall:>9.2f} {memory}")
    return "\n".join(lines)
