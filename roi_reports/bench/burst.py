"""`make bench-burst`: the monthly job mails 1,000 employees through a throttling server.

`python -m roi_reports.bench.burst` writes a sales organisation's sheets (EMPLOYEES,
default 1,000, with an employees sheet) into a fresh working folder under `.bench/`,
serves the bench's mail server on 127.0.0.1 (a per-minute limit, PER_MINUTE, default
600, and 421 to every 100th message), runs `roi-reports run --send` with
`employee_reports = true` and `max_per_minute` at the server's limit in a child process,
then profiles the CPU of one employee report (a sample of ten) in another. It prints
one line: what the server received against who should get what, and how fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from roi_reports.bench import run_child_process
from roi_reports.bench.burst_data import PERIOD, config_text, write_inputs
from roi_reports.bench.smtp_sink import SinkHandler, smtp_sink

BENCH_DIR = Path(".bench")
REFUSE_EVERY = 100


def run_job(workdir: Path) -> float:
    """The monthly job as cron runs it; its wall seconds."""
    command = [sys.executable, "-m", "roi_reports.cli", "run", "--dir", str(workdir)]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--period", PERIOD, "--send", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 3):
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench-burst: the job failed (exit code {done.returncode})")
    return wall


def pdf_cpu_per_report(workdir: Path, reports: int) -> float:
    """CPU seconds of one of the job's `reports` PDFs: the executive summary once, the
    rest as the mean of ten of the people's reports (the bench child's PDF profile)."""
    spec = json.dumps({"workdir": str(workdir), "period": PERIOD, "sample": 10})
    profile = run_child_process(
        ["-m", "roi_reports.bench.child", "pdf-profile", spec], "bench-burst: the PDF profile"
    )
    stages: dict[str, float] = profile["phases"]
    summary = sum(cpu for stage, cpu in stages.items() if stage.startswith("summary "))
    scope = sum(cpu for stage, cpu in stages.items() if stage.startswith("scope "))
    return (summary + (reports - 1) * scope) / reports


def prepare(root: Path, count: int, port: int, per_minute: int) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    workdir = root / "team"
    (workdir / "inbox").mkdir(parents=True)  # the job makes the other folders
    for path in write_inputs(root / "inputs", count).files:
        shutil.copy2(path, workdir / "inbox" / path.name)
    (workdir / "roi-reports.toml").write_text(config_text(port, per_minute), encoding="utf-8")
    return workdir


def summary(manifest: dict[str, Any], handler: SinkHandler, wall: float, pdf_cpu: float) -> str:
    deliveries = manifest["deliveries"]
    statuses = Counter(d["status"] for d in deliveries)
    received = Counter(handler.recipients)
    minutes = manifest["timings_s"]["deliver"] / 60
    if statuses["sent"] != len(received):
        sys.stderr.write(f"bench-burst: the manifest says {statuses['sent']} sent\n")
    return (
        f"bench-burst: recipients={len(deliveries)} sent={len(received)} "
        f"duplicates={sum(received.values()) - len(received)} deferred={statuses['deferred']} "
        f"pdf_cpu_s_per_report={pdf_cpu:.2f} wall_s={wall:.1f} "
        f"messages_per_min={len(received) / minutes:.0f}"
    )


def main() -> None:
    count = int(os.environ.get("EMPLOYEES", "1000"))
    per_minute = int(os.environ.get("PER_MINUTE", "600"))
    handler = SinkHandler(per_minute, REFUSE_EVERY)
    with smtp_sink(handler) as port:
        workdir = prepare(BENCH_DIR / f"burst-{count}", count, port, per_minute)
        wall = run_job(workdir)
    manifest = json.loads((workdir / "out" / PERIOD / "manifest.json").read_text("utf-8"))
    reports = sum(output["path"].endswith(".pdf") for output in manifest["outputs"])
    print(summary(manifest, handler, wall, pdf_cpu_per_report(workdir, reports)), flush=True)


if __name__ == "__main__":
    main()
