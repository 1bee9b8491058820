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


def run_render(folder: str, out: str) -> dict[str, Any]:
    """The same reports rendered by the local pool and by a LocalCluster of as many
    workers (each a fresh set of processes), timed apart, and whether the bytes agree."""
    import dataclasses
    import os

    from distributed import LocalCluster

    from roi_reports.bench.generate import PERIOD, ensure_inputs
    from roi_reports.config import load_config
    from roi_reports.jobs.outputs import report_scopes
    from roi_reports.periods import parse_period
    from roi_reports.pipeline import load_dataset
    from roi_reports.reports.model import MetricsMemo, build_report_model
    from roi_reports.reports.pdf import render_reports

    inputs = ensure_inputs(Path(folder), RENDER_ROWS)
    config = load_config(inputs.config)
    dataset = load_dataset(inputs.files, config)
    period = parse_period(PERIOD)
    memo: MetricsMemo = {}
    scopes = report_scopes(build_report_model(dataset, config, period, memo=memo), config)
    workers = os.cpu_count() or 1
    timings = {}
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        engine = dataclasses.replace(
            config.engine, kind="dask", scheduler=cluster.scheduler_address
        )
        for name, settings in (
            ("local", config),
            ("cluster", dataclasses.replace(config, engine=engine)),
        ):
            start = time.perf_counter()
            render_reports(
                dataset, settings, period, scopes, Path(out) / name, workers=workers, memo=memo
            )
            timings[name] = time.perf_counter() - start
    identical = all(
        (Path(out) / "local" / p.name).read_bytes() == p.read_bytes()
        for p in (Path(out) / "cluster").iterdir()
    )
    return {
        "tables": {},
        "reports": len(scopes),
        "workers": workers,
        "identical": identical,
        "local_s": timings["local"],
        "cluster_s": timings["cluster"],
    }


RENDER_ROWS = 20_000  # rows of the generated team whose 100 reports `bench-render` makes


def main(argv: list[str]) -> None:
    variant, pattern, out = argv
    start = time.perf_counter()
    runners = {"dask": run_dask, "pandas": run_pandas}
    if variant == "render":
        result = run_render(pattern, out)
        out = str(Path(out) / "tables.json")
    else:
        result = runners[variant](pattern)
    wall = time.perf_counter() - start
    Path(out).write_text(json.dumps(result.pop("tables")), encoding="utf-8")
    report = {"wall_s": wall, "peak_rss_mib": peak_rss_mib(), **result}
    print(RESULT_PREFIX + json.dumps(report), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
