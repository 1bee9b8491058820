"""`python -m roi_reports.bench` (`make bench`): time the job against the naive baseline.

ROWS (environment, default 1,000,000) sets the result rows; cost rows are a tenth. Each
variant runs in a child process on the same generated files; the table shows wall time
and the child's own peak RSS, then the phases of the cold job.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from roi_reports.bench import run_child_process, timing_table
from roi_reports.bench.child import PDF_CPU, TREE_CPU, TREE_PSS
from roi_reports.bench.generate import PERIOD, BenchInputs, ensure_inputs

BENCH_DIR = Path(".bench")
PROFILED = 10  # scope reports sampled for the PDF profile


def run_child(variant: str, spec: dict[str, Any]) -> dict[str, Any]:
    arguments = ["-m", "roi_reports.bench.child", variant, json.dumps(spec)]
    return run_child_process(arguments, f"bench: the {variant} variant")


def fresh_workdir(inputs: BenchInputs, root: Path) -> Path:
    """An empty store with the generated files waiting in inbox/ (copying is not timed)."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "inbox").mkdir(parents=True)
    for path in inputs.files:
        shutil.copy2(path, root / "inbox" / path.name)
    shutil.copy2(inputs.config, root / "roi-reports.toml")
    return root


def pdf_profile(profile: dict[str, float], naive_cpu: float, sample: int) -> str:
    """CPU seconds by stage of one PDF in a warm worker: the summary, a scope report."""
    stages = [k.removeprefix("scope ") for k in profile if k.startswith("scope ")]
    lines = [
        "(e) one PDF in a warm worker, CPU s by stage",
        f"    {'stage':<30} {'summary':>9} {'scope':>9}  (scope: mean of {sample} reports)",
    ]
    for stage in stages:
        lines.append(
            f"    {stage:<30} {profile.get('summary ' + stage, 0.0):>9.3f} "
            f"{profile['scope ' + stage]:>9.3f}"
        )
    summary, scope = (sum(v for k, v in profile.items() if k.startswith(w)) for w in WHICH)
    lines.append(f"    {'total':<30} {summary:>9.3f} {scope:>9.3f}")
    lines.append(
        f"    the naive baseline: {naive_cpu:.3f} CPU s per report (its own template, "
        "matplotlib charts, a fresh render each)"
    )
    return "\n".join(lines)


WHICH = ("summary ", "scope ")
GOALS = (
    "goals (printed, not asserted): speedup >= 8, warm <= 10% of cold, "
    "read_floor_ratio <= 1.3, peak RSS <= 1536 MiB, pdf_cpu_s_per_report <= 0.3 (scope "
    "reports), summary_pdf_cpu_s <= 0.6"
)


def main() -> None:
    rows = int(os.environ.get("ROWS", "1000000"))
    print(f"bench: {rows:,} result rows, {rows // 10:,} cost rows (inputs under {BENCH_DIR}/)")
    inputs = ensure_inputs(BENCH_DIR, rows)
    files = [str(p) for p in inputs.files]
    naive_out = BENCH_DIR / "naive-out"
    shutil.rmtree(naive_out, ignore_errors=True)
    spec = {"files": files, "config": str(inputs.config), "period": PERIOD}
    naive = run_child("naive", {**spec, "out": str(naive_out)})
    workdir = fresh_workdir(inputs, BENCH_DIR / "job")
    cold = run_child("job", {"workdir": str(workdir), "period": PERIOD})
    warm = run_child("job", {"workdir": str(workdir), "period": PERIOD})
    floor = run_child("floor", {"files": files})
    profile = run_child(
        "pdf-profile", {"workdir": str(workdir), "period": PERIOD, "sample": PROFILED}
    )
    cores = run_child("cores", {})["phases"]
    naive_cpu = naive["phases"].pop(PDF_CPU)
    tree_pss = cold["phases"].pop(TREE_PSS)
    tree_cpu = cold["phases"].pop(TREE_CPU)
    for extra in (TREE_PSS, TREE_CPU):
        warm["phases"].pop(extra)
    report: list[tuple[str, float, float | None]] = [
        ("(a) naive baseline", naive["wall_s"], naive["peak_rss_mib"]),
        *[(f"    naive {k}", v, None) for k, v in naive["phases"].items()],
        ("(b) roi-reports run, cold", cold["wall_s"], cold["peak_rss_mib"]),
        *[(f"    {k}", v, None) for k, v in cold["phases"].items()],
        ("(c) roi-reports run, warm", warm["wall_s"], warm["peak_rss_mib"]),
        ("(d) bare python-calamine read", floor["wall_s"], floor["peak_rss_mib"]),
    ]
    print(timing_table("variant", report, 34))
    print(
        f"    the cold run with its read and PDF workers: peak {tree_pss:.0f} MiB "
        "(PSS summed over the process tree: pages they share count once)"
    )
    print(
        f"    the cold run's processes used {tree_cpu:.1f} CPU s in {cold['wall_s']:.1f} s: "
        f"{tree_cpu / cold['wall_s']:.2f} cores on average (the baseline runs on one)"
    )
    phases = profile["phases"]
    print(pdf_profile(phases, naive_cpu, PROFILED))
    print(
        f"    (CPU-bound processes got {cores['effective_cores']:.2f} of the "
        f"{cores['cpu_count']:.0f} cores in parallel while measured: a VM's share varies)"
    )
    print(GOALS)
    ratio = cold["phases"]["read"] / floor["wall_s"]
    scope_cpu, summary_cpu = (
        sum(v for k, v in phases.items() if k.startswith(w)) for w in WHICH[::-1]
    )
    print(
        f"bench: rows={rows} cold_s={cold['wall_s']:.2f} warm_s={warm['wall_s']:.2f} "
        f"naive_s={naive['wall_s']:.2f} speedup={naive['wall_s'] / cold['wall_s']:.2f} "
        f"read_floor_ratio={ratio:.2f} peak_rss_mib={cold['peak_rss_mib']:.0f} "
        f"tree_pss_mib={tree_pss:.0f} job_cpu_s={tree_cpu:.1f} "
        f"pdf_cpu_s_per_report={scope_cpu:.3f} summary_pdf_cpu_s={summary_cpu:.3f} "
        f"naive_pdf_cpu_s_per_report={naive_cpu:.3f}"
    )


if __name__ == "__main__":
    main()
