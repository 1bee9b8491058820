""".ods and legacy .xls as LibreOffice really writes them: a round trip through soffice.

The source .xlsx (written by openpyxl) has a formula with no saved result; LibreOffice
recalculates on load and saves the result, so the converted files must read the value.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from roi_reports.config import Config
from roi_reports.ingest.dataset import read_dataset
from tests.helpers import write_workbook

pytestmark = pytest.mark.slow

RESULTS = [
    ["Myynnin seuranta 10/2026"],
    [],
    ["Päivämäärä", "Kanava", "Työntekijä", "Yhteydet", "Konversiot", "Tulot"],
    ["15.10.2026", "Messut", "Liisa", 50, 15, "=600+450"],
    ["16.10.2026", "LinkedIn", "Pekka", 20, 4, "1 200,00 €"],
    ["Yhteensä", None, None, 70, 19, None],
]
COSTS = [["Pvm", "Kanava", "Kulut"], ["15.10.2026", "Messut", 500], ["16.10.2026", "LinkedIn", 300]]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, Path]:
    """One soffice launch per target format, both converting the same source."""
    folder = tmp_path_factory.mktemp("lo")
    source = write_workbook(folder / "tulokset.xlsx", {"Tulokset": RESULTS, "Kulut": COSTS})
    out = folder / "out"
    for target in ("ods", "xls"):
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{folder}/lo-profile",
                "--convert-to",
                target,
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return {"xlsx": source, "ods": out / "tulokset.ods", "xls": out / "tulokset.xls"}


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_libreoffice_files_read_like_the_workbook(converted, kind):
    dataset = read_dataset([converted[kind]], Config())
    assert dataset.report.ok, dataset.report.problems
    assert dataset.results["revenue"].tolist() == [1050.0, 1200.0]  # formula → saved value
    assert dataset.results["employee"].tolist() == ["Liisa", "Pekka"]
    assert dataset.costs["amount"].sum() == 800
    [totals] = dataset.report.warnings
    assert (totals.sheet, totals.row, totals.rule) == ("Tulokset", 6, "totals row skipped")


def test_source_workbook_formula_has_no_saved_value(converted):
    dataset = read_dataset([converted["xlsx"]], Config())
    assert [(p.row, p.column, p.rule) for p in dataset.report.errors if p.column == "F"] == [
        (4, "F", "formula without a cached value")
    ]
