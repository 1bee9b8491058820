"""Property: whatever bytes land in the inbox, each file ends accepted or quarantined with
a named reason, the other files are still used, and nothing ends in "internal error".

Inputs are mutated .xlsx/.ods/.csv bytes (flipped, cut, inserted, duplicated runs) and CSV
files with extreme values: dates far out of range, huge and non-finite numbers, long
text, many duplicate rows. Each goes through `validate` and through the inbox step of
`run` beside a good file; one `run` end to end takes a batch of them.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roi_reports.config import Config
from roi_reports.jobs.inbox import ingest
from roi_reports.jobs.workdir import WorkDir, init_workdir
from tests.damaged import good_workbook
from tests.helpers import run_cli
from tests.test_inbox import NOW
from tests.test_run import make_workdir, manifest, run_job

REPO = Path(__file__).resolve().parents[1]
ODS = REPO / "tests" / "fixtures" / "exports" / "deutsch_team.ods"
HEADER = ["date", "channel", "campaign", "employee", "contacts", "conversions", "revenue"]

EXTREME_DATES = ["9999-12-31", "0001-01-01", "2262-04-12", "1677-09-21", "31.12.9999",
                 "99999", "2958465", "-1", "2026-02-30", "2026-10-05", "1900-01-01"]  # fmt: skip
EXTREME_NUMBERS = ["1e308", "-1e308", "1e400", "nan", "inf", "-inf", "1" * 400, "1e15",
                   "9" * 17, "(1e300)", "0", "-0", "١٢٣", "12,5", ""]  # fmt: skip


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("bases")
    text = "\n".join(",".join(r) for r in [HEADER, *good_rows(5)]) + "\n"
    return {
        ".xlsx": good_workbook(folder / "good.xlsx"),
        ".ods": ODS.read_bytes(),
        ".csv": text.encode("utf-8"),
    }


def good_rows(count: int) -> list[list[str]]:
    return [[f"2026-10-{day % 28 + 1:02d}", "LinkedIn", "Fall", "Aino", "10", "1", "100"]
            for day in range(count)]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip":
            if data:  # an earlier cut may have left nothing to flip
                data[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[at : at + draw(st.integers(1, 4096))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            data[at:at] = bytes(data[at : at + 64]) * draw(st.integers(1, 50))
    return bytes(data)


@st.composite
def extreme_csv(draw: st.DrawFn) -> bytes:
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        date = draw(st.sampled_from(EXTREME_DATES))
        name = draw(st.one_of(st.sampled_from(["LinkedIn", "=HYPERLINK(1)", ""]),
                              st.text(min_size=1, max_size=20),
                              st.just("x" * draw(st.integers(1000, 100_000)))))  # fmt: skip
        numbers = [draw(st.sampled_from(EXTREME_NUMBERS)) for _ in range(3)]
        rows.append([date, name, "Fall", "Aino", *numbers])
    copies = draw(st.sampled_from([1, 2, 500, 5000]))
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *(rows * copies)])
    return out.getvalue().encode("utf-8")


@st.composite
def hostile_file(draw: st.DrawFn, bases: dict[str, bytes]) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".xlsx", ".ods", ".csv", "extreme"]))
    if suffix == "extreme":
        return ".csv", draw(extreme_csv())
    return suffix, draw(mutated(bases[suffix]))


def assert_named_outcome(output: str) -> None:
    assert "internal error" not in output
    assert "Traceback" not in output


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_validate_names_every_problem_of_any_input(bases, tmp_path_factory, data):
    suffix, content = data.draw(hostile_file(bases))
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(content)
    result = run_cli("validate", "--format", "csv", str(path))
    assert result.exit_code in (0, 1), result.output
    assert_named_outcome(result.output)
    if result.exit_code == 1:  # every error names its file and a rule
        problems = list(csv.DictReader(io.StringIO(result.stdout)))
        errors = [p for p in problems if p["severity"] == "error"]
        assert errors and all(p["file"] == path.name and p["rule"] for p in errors)


def fresh_workdir(root: Path) -> WorkDir:
    workdir = init_workdir(root)
    for sample in workdir.inbox.iterdir():
        sample.unlink()
    return workdir


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_inbox_step_accepts_or_quarantines_any_input(bases, tmp_path_factory, data):
    suffix, content = data.draw(hostile_file(bases))
    workdir = fresh_workdir(tmp_path_factory.mktemp("fuzz") / "team")
    (workdir.inbox / f"hostile{suffix}").write_bytes(content)
    (workdir.inbox / "good.csv").write_bytes(bases[".csv"])
    summary = ingest(workdir, Config(), NOW, settle_s=0.0)
    outcomes = {a.name: "accepted" for a in summary.accepted}
    outcomes |= {q.name: "quarantined" for q in summary.quarantined}
    outcomes |= {name: "duplicate" for name, _ in summary.duplicates}
    assert set(outcomes) == {f"hostile{suffix}", "good.csv"}
    assert outcomes["good.csv"] in ("accepted", "duplicate")
    assert all(q.reason for q in summary.quarantined)  # each with its named reason
    assert list(workdir.inbox.iterdir()) == []


@pytest.mark.pdf
@pytest.mark.slow
def test_run_reports_the_month_beside_a_batch_of_hostile_files(bases, tmp_path):
    workdir = make_workdir(tmp_path)
    generator = random.Random(21)  # a fixed batch, the same every run
    names = []
    for number in range(12):
        suffix = generator.choice([".xlsx", ".ods", ".csv", "extreme"])
        content = _example(bases, suffix, generator)
        name = f"hostile-{number}{'.csv' if suffix == 'extreme' else suffix}"
        (workdir.inbox / name).write_bytes(content)
        names.append(name)
    result = run_job(workdir)
    assert result.returncode in (0, 3), result.stderr
    assert_named_outcome(result.stdout + result.stderr)
    this_run = manifest(workdir)["this_run"]
    ended = {a["name"] for a in this_run["accepted"]} | {q["name"] for q in this_run["quarantined"]}
    ended |= {d["file"] for d in this_run["duplicates"]}
    assert ended == {*names, "roi-sample.xlsx"}
    assert "roi-sample.xlsx" in {a["name"] for a in this_run["accepted"]}
    assert {o["kind"] for o in manifest(workdir)["outputs"]} == {"xlsx", "pdf"}


def _example(bases: dict[str, bytes], suffix: str, generator: random.Random) -> bytes:
    """One hostile file drawn with a seeded generator (the same mutations as above)."""
    if suffix == "extreme":
        rows = [[generator.choice(EXTREME_DATES), "x" * generator.choice([3, 5000]), "Fall",
                 "Aino", *(generator.choice(EXTREME_NUMBERS) for _ in range(3))]
                for _ in range(4)]  # fmt: skip
        out = io.StringIO()
        csv.writer(out).writerows([HEADER, *(rows * generator.choice([1, 1000]))])
        return out.getvalue().encode("utf-8")
    data = bytearray(bases[suffix])
    for _ in range(generator.randint(1, 3)):
        at = generator.randrange(len(data))
        data[at] ^= generator.randint(1, 255)
    return bytes(data)
