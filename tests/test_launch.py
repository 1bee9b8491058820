"""The `roi-reports` entry point starts the workers' forkserver before the heavy imports.

The forkserver imports the readers and report modules in its own process while the
command imports the command line, so the two seconds overlap. That needs the package
and `workers` to import nothing heavy, and the public names to load when first used.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import roi_reports

PROBE = """
import sys
from multiprocessing import forkserver
from roi_reports.launch import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(forkserver._forkserver._forkserver_pid is not None)
"""


def run_python(code: str, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *arguments], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_package_and_the_entry_point_import_nothing_heavy():
    code = (
        "import sys, roi_reports.launch, roi_reports.workers\n"
        "print(sorted(set(sys.modules) & {'pandas', 'click', 'weasyprint'}))"
    )
    assert run_python(code) == "[]"


@pytest.mark.parametrize(("command", "started"), [("run", "True"), ("plan", "False")])
def test_commands_with_worker_processes_start_the_forkserver_first(command, started):
    assert run_python(PROBE, command, "--help") == started


def test_public_names_load_when_first_used():
    from roi_reports import Config, compute_metrics

    assert Config().report.currency == "EUR" and callable(compute_metrics)
    assert {"Config", "load_dataset", "__version__"} <= set(dir(roi_reports))
    with pytest.raises(AttributeError, match="no_such_name"):
        roi_reports.no_such_name  # noqa: B018
