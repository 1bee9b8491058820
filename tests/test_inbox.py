"""The inbox step: store + archive valid files, quarantine invalid ones, never lose one."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

from roi_reports.config import Config
from roi_reports.errors import RoiReportsError
from roi_reports.jobs.inbox import inbox_files, ingest
from roi_reports.jobs.lock import JobLocked, job_lock
from roi_reports.jobs.workdir import init_workdir, open_workdir
from roi_reports.store import Store
from tests.helpers import write_workbook

NOW = datetime(2026, 11, 2, 6, 0)
RESULTS = [
    ["date", "channel", "contacts", "conversions", "revenue"],
    ["2026-10-01", "LinkedIn", 10, 2, 300],
]


@pytest.fixture
def workdir(tmp_path):
    workdir = init_workdir(tmp_path / "team")
    for sample in workdir.inbox.iterdir():  # start from an empty inbox
        sample.unlink()
    return workdir


def drop(workdir, name, sheets):
    return write_workbook(workdir.inbox / name, sheets)


def test_init_creates_folders_config_and_samples(tmp_path):
    workdir = init_workdir(tmp_path / "team")
    for folder in ("inbox", "archive", "quarantine", "out", "outbox", "logs", "store"):
        assert (workdir.root / folder).is_dir()
    assert "[report]" in workdir.config.read_text(encoding="utf-8")
    assert [p.name for p in workdir.inbox.iterdir()] == ["roi-sample.xlsx"]
    with pytest.raises(RoiReportsError, match="already"):
        init_workdir(tmp_path / "team")


def test_open_workdir_explains_how_to_create_one(tmp_path):
    with pytest.raises(RoiReportsError, match="roi-reports init"):
        open_workdir(tmp_path)


def test_valid_file_is_stored_and_archived(workdir):
    source = drop(workdir, "october.xlsx", {"results": RESULTS})
    content = source.read_bytes()
    summary = ingest(workdir, Config(), NOW)
    [accepted] = summary.accepted
    assert accepted.rows == {"results": 1}
    archived = workdir.root / accepted.archived_as
    assert archived.parent == workdir.archive / "2026-11"
    assert archived.read_bytes() == content  # moved, not rewritten
    assert list(workdir.inbox.iterdir()) == []
    stored = Store(workdir.store).load("october.xlsx")
    assert stored.frames["results"]["revenue"].tolist() == [300.0]


def test_invalid_file_is_quarantined_with_every_problem(workdir):
    drop(
        workdir,
        "broken.xlsx",
        {
            "results": [
                ["date", "channel", "contacts", "conversions", "revenue"],
                ["2026-10-01", "LinkedIn", "ten", 2, 300],
                ["yesterday", "LinkedIn", 10, 2, 300],
            ]
        },
    )
    summary = ingest(workdir, Config(), NOW)
    [quarantined] = summary.quarantined
    assert (workdir.quarantine / "broken.xlsx").exists()
    with (workdir.quarantine / quarantined.errors_file).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["row"], r["column"], r["rule"]) for r in rows} == {
        ("2", "contacts", "not a number"),
        ("3", "date", "not a date"),
    }
    assert Store(workdir.store).files() == []


def test_same_file_twice_is_ignored_and_kept(workdir):
    drop(workdir, "october.xlsx", {"results": RESULTS})
    ingest(workdir, Config(), NOW)
    drop(workdir, "october-copy.xlsx", {"results": RESULTS})
    # openpyxl writes a timestamp; copy the archived bytes to get identical content
    archived = next((workdir.archive / "2026-11").iterdir())
    (workdir.inbox / "october-copy.xlsx").write_bytes(archived.read_bytes())
    summary = ingest(workdir, Config(), NOW)
    assert summary.duplicates == [("october-copy.xlsx", "october.xlsx")]
    assert summary.accepted == []
    assert len(list((workdir.archive / "2026-11").iterdir())) == 2  # kept, never deleted
    assert [f.name for f in Store(workdir.store).files()] == ["october.xlsx"]


def test_new_version_replaces_old_rows(workdir):
    drop(workdir, "october.xlsx", {"results": RESULTS})
    first = ingest(workdir, Config(), NOW).accepted[0]
    drop(workdir, "october.xlsx", {"results": [RESULTS[0], ["2026-10-01", "LinkedIn", 10, 2, 500]]})
    second = ingest(workdir, Config(), NOW).accepted[0]
    assert second.replaced == first.sha256
    store = Store(workdir.store)
    assert store.load("october.xlsx").frames["results"]["revenue"].tolist() == [500.0]
    assert store.get("october.xlsx").replaced[0]["sha256"] == first.sha256
    archived = sorted(p.name for p in (workdir.archive / "2026-11").iterdir())
    assert archived == ["october (2).xlsx", "october.xlsx"]


def test_exchange_rate_from_an_earlier_file_is_used(workdir):
    drop(
        workdir,
        "rates.xlsx",
        {"fx_rates": [["currency", "month", "rate"], ["USD", "2026-10", 0.9]]},
    )
    ingest(workdir, Config(), NOW)
    drop(
        workdir,
        "usd.xlsx",
        {
            "results": RESULTS,
            "costs": [
                ["date", "channel", "amount", "currency"],
                ["2026-10-01", "LinkedIn", 100, "USD"],
            ],
        },
    )
    drop(
        workdir,
        "sek.xlsx",
        {
            "results": RESULTS,
            "costs": [
                ["date", "channel", "amount", "currency"],
                ["2026-10-01", "LinkedIn", 100, "SEK"],
            ],
        },
    )
    summary = ingest(workdir, Config(), NOW)
    assert [a.name for a in summary.accepted] == ["usd.xlsx"]
    assert [q.name for q in summary.quarantined] == ["sek.xlsx"]


def test_lock_files_and_partial_downloads_are_left_alone(workdir):
    for name in ("~$october.xlsx", ".~lock.october.xlsx#", "big.xlsx.part", ".hidden.csv"):
        (workdir.inbox / name).write_bytes(b"x")
    assert inbox_files(workdir.inbox) == []


def test_second_job_is_refused_while_one_holds_the_lock(workdir):
    with (
        job_lock(workdir.lock),
        pytest.raises(JobLocked, match="another roi-reports job"),
        job_lock(workdir.lock),
    ):
        pass
    with job_lock(workdir.lock):  # released afterwards
        pass


def test_atomic_writes_get_ordinary_file_permissions(tmp_path):
    import os
    import stat

    from roi_reports.fsutil import atomic_write_text

    mask = os.umask(0)
    os.umask(mask)
    path = atomic_write_text(tmp_path / "out.txt", "x")
    # what open() would give under the process umask, not mkstemp's private 0600
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
