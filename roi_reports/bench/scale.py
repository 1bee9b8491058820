"""`python -m roi_reports.bench.scale` (`make bench-scale`): pandas engine vs Dask.

ROWS (environment, default 20,000,000) result rows, a tenth as many cost rows, written once
as Parquet under `.bench/scale-<rows>/`. Each engine runs in its own child process on the
same files and computes the same tables; the table shows wall time and peak RSS per
process, and `equal` says whether every metric of every group agrees to 1e-9.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path
from typing import Any

from roi_reports.bench import run_child_process, timing_table
from roi_reports.bench.scale_data import write_scale_data

BENCH_DIR = Path(".bench")


def run_child(variant: str, pattern: str, out: Path) -> dict[str, Any]:
    arguments = ["-m", "roi_reports.bench.scale_child", variant, pattern, str(out)]
    return run_child_process(arguments, f"bench-scale: the {variant} engine")


def same_number(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b  # null stays null; group keys and counts are equal


def equal_tables(left: Path, right: Path) -> bool:
    """Every metric of every group of every table equal to 1e-9 (relative)."""
    a, b = (json.loads(path.read_text(encoding="utf-8")) for path in (left, right))
    if a.keys() != b.keys():
        return False
    for by in a:
        rows, others = json.loads(a[by]), json.loads(b[by])
        if len(rows) != len(others):
            return False
        for row, other in zip(rows, others, strict=True):
            if row.keys() != other.keys():
                return False
            if not all(same_number(value, other[key]) for key, value in row.items()):
                return False
    return True


def render_line(render: dict[str, Any]) -> str:
    """Rendering N reports on k cluster workers against the local pool of k processes:
    scaling is the speedup over the ideal one (1.0 when both use as many processes)."""
    ideal = 1.0  # the cluster has as many workers as the local pool has processes
    scaling = render["local_s"] / render["cluster_s"] / ideal
    return (
        f"bench-render: reports={render['reports']} workers={render['workers']} "
        f"local_s={render['local_s']:.2f} cluster_s={render['cluster_s']:.2f} "
        f"scaling={scaling:.2f} identical={str(render['identical']).lower()}"
    )


def main() -> None:
    rows = int(os.environ.get("ROWS", "20_000_000"))
    folder = BENCH_DIR / f"scale-{rows}"
    print(f"bench-scale: {rows:,} result rows, {rows // 10:,} cost rows (Parquet under {folder}/)")
    start = time.perf_counter()
    data = write_scale_data(folder, rows)
    print(f"bench-scale: inputs ready in {time.perf_counter() - start:.1f} s")
    outputs = {kind: BENCH_DIR / f"scale-{rows}-{kind}.json" for kind in ("pandas", "dask")}
    pandas = run_child("pandas", data.pattern, outputs["pandas"])
    dask = run_child("dask", data.pattern, outputs["dask"])
    equal = equal_tables(outputs["pandas"], outputs["dask"])
    workers = dask["workers"]
    print(
        timing_table(
            "engine",
            [
                ("pandas engine (one process)", pandas["wall_s"], pandas["peak_rss_mib"]),
                ("    read + convert + sum", pandas["sums_s"], None),
                ("    metric tables (shared)", pandas["tables_s"], None),
                ("dask engine (local cluster)", dask["wall_s"], dask["peak_rss_mib"]),
                ("    read + convert + sum", dask["sums_s"], None),
                ("    metric tables (shared)", dask["tables_s"], None),
                (f"    worker process (max of {workers})", dask["wall_s"], dask["worker_peak_mib"]),
            ],
            36,
        )
    )
    render_out = BENCH_DIR / "render-out"
    shutil.rmtree(render_out, ignore_errors=True)
    render = run_child("render", str(BENCH_DIR), render_out)
    print(render_line(render))
    print(
        f"bench-scale: rows={rows} pandas_s={pandas['wall_s']:.2f} dask_s={dask['wall_s']:.2f} "
        f"pandas_peak_mib={pandas['peak_rss_mib']:.0f} "
        f"dask_worker_peak_mib={dask['worker_peak_mib']:.0f} equal={str(equal).lower()}"
    )


if __name__ == "__main__":
    main()
