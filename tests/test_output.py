"""CSV outputs a spreadsheet will open: text that looks like a formula must stay text."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pandas as pd
import pytest

from roi_reports.config import Config
from roi_reports.jobs.inbox import ingest
from roi_reports.jobs.workdir import init_workdir
from roi_reports.output import csv_safe, neutralise_formula
from tests.helpers import run_cli, write_csv

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=2+5+cmd|' /C calc'!A0"
HEADER = ["date", "channel", "employee", "contacts", "conversions", "revenue"]
VALID_ROW = ["2026-10-01", HYPERLINK, "-500", 10, 2, 300]
# three errors, each quoting its cell: negative contacts, and two payloads that are not numbers
INVALID_ROW = ["2026-10-02", "LinkedIn", "Ann", -500, HYPERLINK, DDE]


def read_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (DDE, "'" + DDE),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-500", "-500"),
        ("+1 050,00", "+1 050,00"),
        ("-1,050.00", "-1,050.00"),
        ("LinkedIn", "LinkedIn"),
        ("a=b", "a=b"),
        (-500.0, -500.0),
        (None, None),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


def test_csv_safe_leaves_numeric_columns_alone():
    table = pd.DataFrame(
        {
            "channel": pd.Series([HYPERLINK, None], dtype="string"),
            "row": [2, 3],
            "revenue": [-500.0, 1.5],
            "key": pd.Categorical(["@x", "-5"]),
        }
    )
    safe = csv_safe(table)
    assert safe["channel"].tolist()[0] == "'" + HYPERLINK
    assert pd.isna(safe["channel"].iloc[1])
    assert safe["key"].tolist() == ["'@x", "-5"]
    pd.testing.assert_series_equal(safe["revenue"], table["revenue"])
    pd.testing.assert_series_equal(safe["row"], table["row"])
    assert table["channel"].iloc[0] == HYPERLINK  # the input is not changed


def test_metrics_csv_prefixes_formula_like_names(tmp_path):
    source = write_csv(tmp_path / "october.csv", [HEADER, VALID_ROW])
    result = run_cli(
        "metrics", "--by", "channel,employee", "--format", "csv",
        "--fields", "revenue,contacts", str(source),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [row] = read_rows(result.stdout)
    assert row["channel"] == "'" + HYPERLINK
    assert row["employee"] == "-500"  # plain numeric text is left as it is
    assert float(row["revenue"]) == 300.0
    assert float(row["contacts"]) == 10.0


def test_validate_csv_prefixes_formula_like_values(tmp_path):
    source = write_csv(tmp_path / "broken.csv", [HEADER, VALID_ROW, INVALID_ROW])
    result = run_cli("validate", "--format", "csv", str(source))
    assert result.exit_code == 1
    values = {r["column"]: r["value"] for r in read_rows(result.stdout)}
    assert values["revenue"] == "'" + DDE
    assert values["conversions"] == "'" + HYPERLINK
    assert values["contacts"] == "-500"


def test_validate_csv_keeps_a_cell_of_line_breaks_inside_its_row(tmp_path):
    # a hostile file: a cell holding a lone carriage return, and one with CR LF inside text
    source = tmp_path / "breaks.csv"
    source.write_bytes(
        b"date,channel,campaign,employee,contacts,conversions,revenue\r\n"
        b'2026-10-05,"\r","Fall\r\npush",Aino,10,x,100\r\n'
    )
    result = run_cli("validate", "--format", "csv", str(source))
    assert result.exit_code == 1
    rows = read_rows(result.stdout)  # csv.Error if a row ended early
    values = {r["column"]: r["value"] for r in rows}
    assert values["channel"] == "'\n"  # a formula trigger, prefixed; its CR written as LF
    assert values["conversions"] == "x"
    assert all(r["file"] == "breaks.csv" and r["severity"] for r in rows)


def test_quarantine_errors_csv_prefixes_formula_like_values(tmp_path):
    workdir = init_workdir(tmp_path / "team")
    write_csv(workdir.inbox / "broken.csv", [HEADER, VALID_ROW, INVALID_ROW])
    summary = ingest(workdir, Config(), datetime(2026, 11, 2, 6, 0))
    [quarantined] = summary.quarantined
    text = (workdir.quarantine / quarantined.errors_file).read_text(encoding="utf-8")
    values = {r["column"]: r["value"] for r in read_rows(text)}
    assert values["revenue"] == "'" + DDE
    assert values["conversions"] == "'" + HYPERLINK
    assert values["contacts"] == "-500"
    assert "\n" + DDE not in text and "," + DDE not in text  # never raw at a cell start
