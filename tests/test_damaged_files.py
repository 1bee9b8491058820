"""One bad file never blocks the month: damaged workbooks and dates out of range are
quarantined with a named reason, the other files are reported, and `watch` keeps going."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys

import pytest

from tests.damaged import damaged_workbooks
from tests.helpers import RESULTS_HEADER, run_cli, write_csv
from tests.test_run import PERIOD, make_workdir, manifest, run_job
from tests.test_watch import wait_for

DAMAGE = {  # file → words its problem must name (the reader's own detail follows them)
    "corrupt-deflate.xlsx": "damaged workbook",
    "doctype-entity.xlsx": "damaged workbook",
    "missing-sheet.xlsx": "damaged workbook",
    "empty-sheet.xlsx": "damaged workbook",
    "lying-zip-bomb.xlsx": "damaged workbook",
    "cut-off.xlsx": "damaged workbook",
}
FIX = "open it in Excel or LibreOffice and save it again, or export it again"


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_validate_names_the_damage(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(damaged_workbooks(tmp_path)[name])
    result = run_cli("validate", "--format", "csv", str(path))
    assert result.exit_code == 1
    [problem] = list(csv.DictReader(result.stdout.splitlines()))
    assert problem["rule"] == "unreadable file"
    assert problem["hint"].startswith(f"{name}: {DAMAGE[name]}: ")
    assert problem["hint"].endswith(FIX)
    assert "internal error" not in result.output


OUT_OF_RANGE = ["9999-12-31", "0001-01-01", "2262-04-12", "1899-12-31", "2200-01-01"]


def test_dates_out_of_range_are_named_not_internal_errors(tmp_path):
    rows = [[day, "LinkedIn", "", "", 10, 1, 100, "", ""] for day in OUT_OF_RANGE]
    rows.append(["2026-10-05", "LinkedIn", "", "", 10, 1, 100, "", ""])
    path = write_csv(tmp_path / "far.csv", [RESULTS_HEADER, *rows])
    result = run_cli("validate", "--format", "csv", str(path))
    assert result.exit_code == 1
    problems = list(csv.DictReader(result.stdout.splitlines()))
    assert [(p["row"], p["column"], p["value"], p["rule"]) for p in problems] == [
        (str(row), "date", day, "date out of range") for row, day in enumerate(OUT_OF_RANGE, 2)
    ]
    assert "2199-12-31" in problems[0]["hint"]


def test_periods_and_serial_dates_out_of_range(tmp_path):
    header = ["period", "channel", "contacts", "conversions", "revenue"]
    rows = [["9999", "A", 1, 1, 1], ["2300-Q1", "A", 1, 1, 1], ["2026-10", "A", 1, 1, 1]]
    periods = write_csv(tmp_path / "periods.csv", [header, *rows])
    serials = write_csv(
        tmp_path / "serials.csv",
        [["date", "channel", "contacts", "conversions", "revenue"], [2958465, "A", 1, 1, 1]],
    )
    result = run_cli("validate", "--format", "csv", str(periods), str(serials))
    problems = list(csv.DictReader(result.stdout.splitlines()))
    assert [(p["file"], p["row"], p["rule"]) for p in problems] == [
        ("periods.csv", "2", "date out of range"),
        ("periods.csv", "3", "date out of range"),
        ("serials.csv", "2", "date out of range"),
    ]


def test_numbers_out_of_range_are_errors_never_an_inf_sum(tmp_path):
    """1e308 twice would sum to inf and 1e400 reads as inf: both looked valid, and the
    channel's revenue printed as inf. A number beyond ±1e15 is an error naming its cell,
    and a skipped row carries nothing of it."""
    huge = ["1e308", "1e400", "-1e16", "1" * 400, "inf"]
    rows = [["2026-10-05", "LinkedIn", "", "", 10, 1, value, "", ""] for value in huge]
    rows.append(["2026-10-06", "LinkedIn", "", "", 10, 1, "999999999999999", "", ""])
    path = write_csv(tmp_path / "huge.csv", [RESULTS_HEADER, *rows])
    result = run_cli("validate", "--format", "csv", str(path))
    assert result.exit_code == 1
    problems = list(csv.DictReader(result.stdout.splitlines()))
    assert [(p["row"], p["column"], p["rule"]) for p in problems] == [
        (str(row), "revenue", "number out of range") for row in range(2, 2 + len(huge))
    ]
    assert "1,000,000,000,000,000" in problems[0]["hint"]
    skipped = run_cli(
        "metrics", "--skip-invalid-rows", "--format", "json", "--fields", "revenue", str(path)
    )
    assert skipped.exit_code == 0, skipped.output
    assert '"revenue": 999999999999999.0' in skipped.stdout
    assert "inf" not in skipped.stdout
    assert "5 rows skipped, carrying 50 contacts and 5 conversions (5 invalid values" in (
        skipped.stderr
    )


@pytest.mark.pdf
@pytest.mark.slow
def test_bad_files_are_quarantined_and_the_month_is_still_reported(tmp_path):
    workdir = make_workdir(tmp_path)
    for name, data in damaged_workbooks(tmp_path).items():
        (workdir.inbox / name).write_bytes(data)
    far = [["9999-12-31", "LinkedIn", "", "", 10, 1, 100, "", ""]]
    write_csv(workdir.inbox / "far.csv", [RESULTS_HEADER, *far])

    result = run_job(workdir, env={"ROI_REPORTS_DEBUG": ""})
    assert result.returncode == 3, result.stderr
    assert "internal error" not in result.stdout + result.stderr
    for name, words in DAMAGE.items():
        assert f"QUARANTINE {name}: {words}: " in result.stdout
        assert (workdir.quarantine / name).is_file()
        errors = (workdir.quarantine / f"{name}.errors.csv").read_text(encoding="utf-8")
        assert FIX in errors
    assert "QUARANTINE far.csv: sheet 'far', row 2, column 'date': date out of range" in (
        result.stdout
    )
    content = manifest(workdir)  # the sample workbook was read and the month reported
    assert [a["name"] for a in content["this_run"]["accepted"]] == ["roi-sample.xlsx"]
    assert {o["kind"] for o in content["outputs"]} == {"xlsx", "pdf"}
    assert sorted(q["name"] for q in content["this_run"]["quarantined"]) == sorted(
        [*DAMAGE, "far.csv"]
    )
    assert list(workdir.inbox.iterdir()) == []
    assert PERIOD in content["period"]


def test_watch_quarantines_a_damaged_file_and_keeps_watching(tmp_path):
    workdir = make_workdir(tmp_path)
    sample = next(workdir.inbox.iterdir())
    held = tmp_path / sample.name
    sample.rename(held)
    damaged = damaged_workbooks(tmp_path)
    command = [sys.executable, "-m", "roi_reports.cli", "watch", "--dir", str(workdir.root)]
    process = subprocess.Popen(
        [*command, "--settle", "0.3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        for name in ("corrupt-deflate.xlsx", "missing-sheet.xlsx"):
            (workdir.inbox / name).write_bytes(damaged[name])
            assert wait_for(lambda n=name: (workdir.quarantine / n).exists())
        far = [["9999-12-31", "LinkedIn", "", "", 10, 1, 100, "", ""]]
        write_csv(workdir.inbox / "far.csv", [RESULTS_HEADER, *far])
        assert wait_for(lambda: (workdir.quarantine / "far.csv").exists())
        (workdir.inbox / sample.name).write_bytes(held.read_bytes())
        assert wait_for(lambda: not any(workdir.inbox.iterdir()))
        assert process.poll() is None  # still watching
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert "QUARANTINE corrupt-deflate.xlsx: damaged workbook: " in out
    assert "QUARANTINE far.csv: " in out
    assert "accepted   roi-sample.xlsx" in out
    assert "internal error" not in out + err and "Traceback" not in err
