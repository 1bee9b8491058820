"""One `make bench-scale` variant in a fresh process: `python -m roi_reports.bench.scale_child`.

Reads the generated exports with one engine, computes every table of `BY_SETS`, writes
them as JSON for the parent to compare, and prints one line: wall seconds and peak RSS of
this process (VmHWM) and, for Dask, of each worker process.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from roi_reports.bench import RESULT_PREFIX
from roi_reports.bench.child import peak_rss_mib
from roi_reports.config import Config, EngineConfig, ReportConfig
from roi_reports.engine import engine_dataset, expand, export_sources
from roi_reports.output import to_json
from roi_reports.pipeline import compute_metrics

BY_SETS: tuple[tuple[str, ...], ...] = (
    (),
    ("channel",),
    ("employee",),
    ("campaign",),
    ("category",),
    ("channel", "month"),
    ("employee", "quarter"),
    ("campaign", "year"),
)


def bench_config(kind: str, scheduler: str | None = None) -> Config:
    # shared costs stay unassigned: allocating them is the same pandas step on both engines
    return Config(
        report=ReportConfig(shared_costs="none", hurdle_roi_pct=100.0),
        engine=EngineConfig(kind=kind, scheduler=scheduler),  # type: ignore[arg-type]
    )


def tables(config: Config, pattern: str) -> dict[str, Any]:
    """The engine's step (read, convert, sum), then the shared tables, timed apart."""
    start = time.perf_counter()
    dataset = engine_dataset(export_sources(expand([pattern]), config), config)
    _ = dataset.fine  # the pandas engine sums when asked; Dask already has
    sums_s = time.perf_counter() - start
    found = {",".join(by): to_json(compute_metrics(dataset, config, by=by)) for by in BY_SETS}
    return {"tables": found, "sums_s": sums_s, "tables_s": time.perf_counter() - start - sums_s}


def run_pandas(pattern: str) -> dict[str, Any]:
    return tables(bench_config("pandas"), pattern)


def run_dask(pattern: str) -> dict[str, Any]:
    """A local cluster sized to the machine, as `[engine] kind = "dask"` starts one."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        found = tables(bench_config("dask", cluster.scheduler_address), pattern)
        workers = client.run(peak_rss_mib)  # each worker's own VmHWM
        return found | {"worker_peak_mib": max(workers.values()), "workers": len(workers)}


def main(argv: list[str]) -> None:
    variant, pattern, out = argv
    start = time.perf_counter()
    result = (run_dask if variant == "dask" else run_pandas)(pattern)
    wall = time.perf_counter() - start
    Path(out).write_text(json.dumps(result.pop("tables")), encoding="utf-8")
    report = {"wall_s": wall, "peak_rss_mib": peak_rss_mib(), **result}
    print(RESULT_PREFIX + json.dumps(report), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
