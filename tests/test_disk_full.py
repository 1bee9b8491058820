"""A full disk says so in one line, names what was being written and where, exits 1, and
loses nothing; the rerun after space is freed completes.

The disk is really full: the job runs in a private mount namespace (`unshare`, also
without root through a user namespace) where a small tmpfs, filled to the last byte, is
bind-mounted over one folder or file of the working folder. The kernel then answers every
write there with ENOSPC, whoever writes (Python, pyarrow, sqlite, xlsxwriter); nothing on
the real disk fills up, and the mount vanishes with the process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from roi_reports.fsutil import sha256_file
from roi_reports.jobs.workdir import WorkDir
from tests.helpers import RESULTS_HEADER, write_csv
from tests.smtp_server import RecordingHandler, smtp_server
from tests.test_run import PERIOD, make_workdir, manifest, run_job, stakeholder_config

pytestmark = pytest.mark.pdf

# $1 working folder, $2 what to put on the full disk (a folder or file in it), $3 a scratch
# folder outside it; the rest is the command. The listing of inbox/, archive/ and
# quarantine/ is written to $3/listing before the mount goes away.
ON_A_FULL_DISK = r"""
set -u
work=$1; part=$2; scratch=$3; shift 3
mkdir -p "$scratch/disk"
mount -t tmpfs -o size=256k tmpfs "$scratch/disk" || exit 97
if [ -d "$work/$part" ]; then
    cp -a "$work/$part/." "$scratch/disk/"
    mount --bind "$scratch/disk" "$work/$part" || exit 97
else
    cp -a "$work/$part" "$scratch/disk/part"
    mount --bind "$scratch/disk/part" "$work/$part" || exit 97
fi
cat /dev/zero > "$scratch/disk/filler" 2>/dev/null   # now the disk is full to the byte
"$@"
code=$?
cd "$work" && find inbox archive quarantine -type f ! -name '*.errors.csv' \
    -exec sha256sum {} + > "$scratch/listing"
exit $code
"""


def run_on_full_disk(workdir: WorkDir, part: str, *args: str) -> subprocess.CompletedProcess:
    scratch = workdir.root.parent / f"full-{part.replace('/', '-')}"
    scratch.mkdir()
    shell = ["unshare", "--mount", "--map-root-user", "sh", "-c", ON_A_FULL_DISK, "sh"]
    command = [sys.executable, "-m", "roi_reports.cli", "run", "--dir", str(workdir.root)]
    result = subprocess.run(
        [*shell, str(workdir.root), part, str(scratch), *command, "--period", PERIOD, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "ROI_REPORTS_DEBUG": ""},
        timeout=600,
        check=False,
    )
    assert result.returncode != 97, f"could not mount a tmpfs: {result.stderr}"
    listing = (scratch / "listing").read_text(encoding="utf-8").splitlines()
    result.kept = {  # type: ignore[attr-defined]
        Path(line.split(maxsplit=1)[1]).name: line.split()[0] for line in listing
    }
    return result


def inputs_of(workdir: WorkDir) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in workdir.inbox.iterdir()}


def assert_disk_full_error(result, what: str, folder: Path) -> None:
    assert result.returncode == 1, result.stderr
    expected = (
        f"Error: disk full while writing {what} in {folder}: free space and rerun; nothing was lost"
    )
    assert result.stderr.strip().splitlines()[-1] == expected
    assert "internal error" not in result.stderr
    assert "Logging error" not in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(autouse=True)
def _needs_unshare():
    assert shutil.which("unshare"), "unshare (util-linux) is needed for the disk-full tests"


def test_full_store_keeps_the_file_in_the_inbox(tmp_path):
    workdir = make_workdir(tmp_path)
    inputs = inputs_of(workdir)
    result = run_on_full_disk(workdir, "store", "--no-send")
    assert_disk_full_error(result, "the rows of roi-sample.xlsx", workdir.store)
    assert result.kept == inputs  # still in the inbox, byte for byte
    assert list(workdir.inbox.iterdir())  # (the real disk: the run moved nothing)


def test_full_quarantine_keeps_the_bad_file_in_the_inbox(tmp_path):
    workdir = make_workdir(tmp_path)
    bad = [["2026-10-15", "Webinars", "", "", "many", 2, 5000, "", ""]]
    write_csv(workdir.inbox / "broken.csv", [RESULTS_HEADER, *bad])
    inputs = inputs_of(workdir)
    result = run_on_full_disk(workdir, "quarantine", "--no-send")
    assert_disk_full_error(result, "the error list of broken.csv", workdir.quarantine)
    assert result.kept["broken.csv"] == inputs["broken.csv"]
    assert (workdir.inbox / "broken.csv").is_file()


@pytest.mark.slow
def test_full_out_folder_then_a_rerun_completes(tmp_path):
    workdir = make_workdir(tmp_path)
    inputs = inputs_of(workdir)
    result = run_on_full_disk(workdir, "out", "--no-send")
    assert_disk_full_error(result, f"the reports for {PERIOD}", workdir.out)
    assert result.kept == inputs  # stored and archived before the outputs were written
    rerun = run_job(workdir)  # space freed (the full disk is gone): the rerun completes
    assert rerun.returncode == 0, rerun.stderr
    assert {o["kind"] for o in manifest(workdir)["outputs"]} == {"xlsx", "pdf"}


@pytest.mark.slow
def test_full_disk_under_the_delivery_ledger(tmp_path):
    workdir = make_workdir(tmp_path)
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        workdir.ledger.touch()  # an empty file is an empty database: sqlite grows it
        result = run_on_full_disk(workdir, "ledger.sqlite", "--send")
    assert_disk_full_error(result, "the messages or the delivery ledger", workdir.root)
    assert len(handler.messages) == 0  # the ledger records before sending: nothing sent
