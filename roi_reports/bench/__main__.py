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
from roi_reports.bench.generate import PERIOD, BenchInputs, ensure_inputs

BENCH_DIR = Path(".bench")


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


def pdf_bound(
    naive: dict[str, Any],
    cold: dict[str, Any],
    count: int,
    per_pdf: dict[str, float],
    cores: dict[str, float],
) -> str:
    """Why the speedup stops where it does: the same reports, the same renderer, N cores.

    The baseline rendered the job's reports one after another; with every core busy the
    job still needs that time divided by the cores, whatever else it does faster.
    """
    cpu = sum(per_pdf.values())
    lines = [f"(e) one PDF, CPU s by stage (mean of a sample of the {count} reports)"]
    lines += [
        f"    {stage:<30} {seconds:>9.2f}  {seconds / cpu:>4.0%}"
        for stage, seconds in per_pdf.items()
    ]
    lines.append(f"    {'total':<30} {cpu:>9.2f}")
    serial = naive["phases"]["pdfs"]
    cpus = cores["cpu_count"]
    floor = serial / cpus
    rest = cold["wall_s"] - cold["phases"]["pdfs"]
    bound = naive["wall_s"] / (rest + floor)
    lines += [
        f"    the baseline rendered them one after another in {serial:.1f} s "
        f"({serial / count:.2f} s each); with all {cpus:.0f} cores busy that is >= "
        f"{floor:.1f} s",
        f"    the rest of the cold run took {rest:.1f} s, so speedup ~ at most "
        f"{naive['wall_s']:.1f} / "
        f"({rest:.1f} + {floor:.1f}) = {bound:.2f} with this renderer on this machine",
        f"    (CPU-bound processes got {cores['effective_cores']:.2f} of the {cpus:.0f} cores "
        "in parallel while measured: a VM's share varies)",
    ]
    return "\n".join(lines)


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
    profile = run_child("pdf-profile", {"workdir": str(workdir), "period": PERIOD, "sample": 10})
    cores = run_child("cores", {})["phases"]
    report: list[tuple[str, float, float | None]] = [
        ("(a) naive baseline", naive["wall_s"], naive["peak_rss_mib"]),
        *[(f"    naive {k}", v, None) for k, v in naive["phases"].items()],
        ("(b) roi-reports run, cold", cold["wall_s"], cold["peak_rss_mib"]),
        *[(f"    {k}", v, None) for k, v in cold["phases"].items()],
        ("(c) roi-reports run, warm", warm["wall_s"], warm["peak_rss_mib"]),
        ("(d) bare python-calamine read", floor["wall_s"], floor["peak_rss_mib"]),
    ]
    print(timing_table("variant", report, 34))
    pdf_count = len(list((workdir / "out" / PERIOD).rglob("*.pdf")))
    print(pdf_bound(naive, cold, pdf_count, profile["phases"], cores))
    ratio = cold["phases"]["read"] / floor["wall_s"]
    print(
        f"bench: rows={rows} cold_s={cold['wall_s']:.2f} warm_s={warm['wall_s']:.2f} "
        f"naive_s={naive['wall_s']:.2f} speedup={naive['wall_s'] / cold['wall_s']:.2f} "
        f"read_floor_ratio={ratio:.2f} peak_rss_mib={cold['peak_rss_mib']:.0f}"
    )


if __name__ == "__main__":
    main()
