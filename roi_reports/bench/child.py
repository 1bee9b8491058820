"""One bench variant in a fresh process: `python -m roi_reports.bench.child VARIANT ...`.

Prints one JSON line: wall seconds, this process's own peak RSS (VmHWM, which unlike the
parent's ru_maxrss of children counts nobody else) and the variant's phase timings.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from roi_reports.bench import RESULT_PREFIX

Phases = dict[str, float]
PDF_CPU = "pdf_cpu_s_per_report"  # the naive variant's CPU seconds per PDF (not a phase)
TREE_PSS = "tree_pss_mib"  # the job variant's peak memory with its workers (not a phase)
TREE_CPU = "tree_cpu_s"  # the job variant's CPU seconds with its workers (not a phase)


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class TreeUsage:
    """The peak of the summed proportional set size (PSS) of this process and every
    descendant — the read and PDF workers and their forkserver — sampled in a thread.
    PSS shares the pages a forkserver and its workers have in common, so none counts
    twice. Also the CPU seconds the tree used within the block: each process's last
    sample, so a worker that ends between two samples leaves out at most one interval's
    work. The sampler's own CPU is left out. Linux only; elsewhere both stay 0.

    Reading PSS makes the kernel walk each process's page tables: with the job's seven
    processes that took 27 ms a sample (measured), 13 % of a core at every 0.2 s, taken
    from the job it measures. So PSS is read every PSS_EVERY-th sample, and the CPU
    ticks (a cheap read) at every one.
    """

    INTERVAL_S = 0.2
    PSS_EVERY = 5

    def __init__(self) -> None:
        self.peak_mib = 0.0
        self._cpu_ticks: dict[int, int] = {}
        self._before_ticks = 0  # this process's own, before the block
        self._sampler_cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeUsage:
        self._before_ticks = _tree(os.getpid()).get(os.getpid(), 0)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take_sample(with_pss=True)

    @property
    def cpu_s(self) -> float:
        ticks = sum(self._cpu_ticks.values()) - self._before_ticks
        return max(0.0, ticks / os.sysconf("SC_CLK_TCK") - self._sampler_cpu_s)

    def _sample(self) -> None:
        count = 0
        while not self._stop.wait(self.INTERVAL_S):
            self._take_sample(with_pss=count % self.PSS_EVERY == 0)
            count += 1
        self._sampler_cpu_s = time.thread_time()

    def _take_sample(self, with_pss: bool) -> None:
        tree = _tree(os.getpid())
        if with_pss:
            total_kib = sum(_pss_kib(pid) for pid in tree)
            self.peak_mib = max(self.peak_mib, total_kib / 1024)
        for pid, ticks in tree.items():
            self._cpu_ticks[pid] = max(ticks, self._cpu_ticks.get(pid, 0))


def _tree(root: int) -> dict[int, int]:
    """`root` and its descendants: pid → user and system time so far, in clock ticks."""
    parents: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        pid = int(stat.parent.name)
        parents.setdefault(int(fields[1]), []).append(pid)
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        found[pid] = ticks.get(pid, 0)
        todo.extend(parents.get(pid, []))
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass  # ended meanwhile, or not Linux
    return 0


def _timed(phases: Phases, name: str, start: float) -> float:
    now = time.perf_counter()
    phases[name] = phases.get(name, 0.0) + now - start
    return now


def run_naive(files: list[Path], config_path: Path, out: Path, period: str) -> Phases:
    from roi_reports.bench import naive, naive_pdf

    phases: Phases = {}
    start = time.perf_counter()
    read = [naive.read_naive(path) for path in files]
    results, costs = [r for r, _ in read], [c for _, c in read]
    start = _timed(phases, "read", start)
    metrics = naive.naive_metrics(naive.sum_groups(results, costs))
    start = _timed(phases, "metrics", start)
    out.mkdir(parents=True, exist_ok=True)
    naive.write_naive_workbook(metrics, out / "naive-summary.xlsx")
    start = _timed(phases, "excel", start)
    start_cpu = time.process_time()
    count = naive_pdf.render_naive_pdfs(results, costs, config_path, period, out / "pdf")
    _timed(phases, "pdfs", start)
    phases[PDF_CPU] = (time.process_time() - start_cpu) / count
    return phases


def run_job(workdir: Path, period: str) -> Phases:
    """`roi-reports run --dir D --period P --no-send`, in this process, from its entry
    point (which starts the workers' forkserver before importing the command line)."""
    from roi_reports.launch import main as roi_reports

    with TreeUsage() as memory:
        try:
            roi_reports(["run", "--dir", str(workdir), "--period", period, "--no-send", "--quiet"])
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise RuntimeError(f"roi-reports run exited with {exc.code}") from None
    manifest = json.loads((workdir / "out" / period / "manifest.json").read_text())
    timings: dict[str, float] = manifest["timings_s"]
    return {
        "read": timings.get("read", 0.0),
        "validate": timings.get("validate", 0.0) + timings.get("store", 0.0),
        "metrics": timings.get("load", 0.0) + timings.get("metrics", 0.0),  # none replayed
        "excel": timings.get("excel", 0.0),
        "pdfs": timings.get("pdfs", 0.0),
        "checks": timings.get("checks", 0.0),
        "email": timings["deliver"],
        TREE_PSS: memory.peak_mib,
        TREE_CPU: memory.cpu_s,
    }


def run_floor(files: list[Path]) -> Phases:
    """The bare reader: every cell of every sheet into Python, nothing else."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    cells = 0
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(row) for row in rows)
            del rows
    return {"read": time.perf_counter() - start}


GC_STAGE = "garbage collection"


def run_pdf_profile(workdir: Path, period_label: str, sample: int) -> Phases:
    """CPU seconds per stage of one PDF in a warm worker: the executive summary, and the
    mean over `sample` of the scope reports (channels and people, evenly through the list).

    Runs after the cold job, on its store: the same models the job rendered, built here
    and rendered in a pool worker of the job's kind, which holds no dataset, only the
    models it is sent. Keys are "summary <stage>" and "scope <stage>".
    """
    from concurrent.futures import ProcessPoolExecutor

    from roi_reports.config import load_config
    from roi_reports.jobs.monthly import load_store
    from roi_reports.jobs.outputs import report_scopes
    from roi_reports.jobs.workdir import WorkDir
    from roi_reports.periods import parse_period
    from roi_reports.reports.model import MetricsMemo, build_report_model
    from roi_reports.reports.warm import ready_to_render
    from roi_reports.workers import worker_context

    folder = WorkDir(workdir)
    config = load_config(folder.config)
    dataset = load_store(folder, config)
    period = parse_period(period_label, fiscal_year_start=config.report.fiscal_year_start)
    memo: MetricsMemo = {}
    scopes = report_scopes(build_report_model(dataset, config, period, memo=memo), config)
    summary, others = scopes[0], scopes[1:]
    count = min(sample, len(others))
    picked = [others[(2 * i + 1) * len(others) // (2 * count)] for i in range(count)]
    models = {
        kind: [build_report_model(dataset, config, period, scope, memo=memo) for scope in group]
        for kind, group in (("summary", [summary]), ("scope", picked))
    }
    # made ready as the job's PDF workers are, before the models arrive
    with ProcessPoolExecutor(
        1, mp_context=worker_context(), initializer=ready_to_render, initargs=(config,)
    ) as pool:
        return pool.submit(_profile_in_worker, models, config).result()


def _profile_in_worker(models: dict[str, list[Any]], config: Any) -> Phases:
    from roi_reports.reports.pdf import pdf_bytes
    from roi_reports.reports.warm import collect_report_garbage

    pdf_bytes(models["scope"][0], config)  # what the warm-up leaves to the first report
    collect_report_garbage()
    found: Phases = {}
    for kind, reports in models.items():
        stages: Phases = {}
        for model in reports:
            pdf_bytes(model, config, stages)
            start = time.process_time()
            collect_report_garbage()  # as the job's worker does after each report
            stages[GC_STAGE] = stages.get(GC_STAGE, 0.0) + time.process_time() - start
        found |= {f"{kind} {stage}": cpu / len(reports) for stage, cpu in stages.items()}
    return found


def _spin(_: int) -> float:
    start = time.perf_counter()
    total = 0
    for number in range(15_000_000):
        total += number * number
    return time.perf_counter() - start


def run_cores() -> Phases:
    """How many cores CPU-bound processes really get: one task alone, then one per core."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    alone = _spin(0)
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        start = time.perf_counter()
        list(pool.map(_spin, range(workers)))
        together = time.perf_counter() - start
    return {"cpu_count": float(workers), "effective_cores": workers * alone / together}


def main(argv: list[str]) -> None:
    variant, spec = argv[0], json.loads(argv[1])
    files = [Path(p) for p in spec.get("files", [])]
    runners: dict[str, Callable[[], Phases]] = {
        "naive": lambda: run_naive(files, Path(spec["config"]), Path(spec["out"]), spec["period"]),
        "job": lambda: run_job(Path(spec["workdir"]), spec["period"]),
        "floor": lambda: run_floor(files),
        "pdf-profile": lambda: run_pdf_profile(
            Path(spec["workdir"]), spec["period"], int(spec["sample"])
        ),
        "cores": run_cores,
    }
    start = time.perf_counter()
    phases = runners[variant]()
    wall = time.perf_counter() - start
    report: dict[str, Any] = {"wall_s": wall, "peak_rss_mib": peak_rss_mib(), "phases": phases}
    print(RESULT_PREFIX + json.dumps(report), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
