"""How the workbook looks in a second spreadsheet program: LibreOffice prints it to PDF,
and the words' positions (pdftotext -bbox) show what a reader sees.

- A Persian name sits where the Latin names of its column sit (left), not right-aligned
  as LibreOffice shows right-to-left text under General alignment.
- In the chart "ROI % by channel", a negative bar's data label does not overlap its
  channel's name: the names sit at the left edge of the chart, not on the zero line.
"""

from __future__ import annotations

import html
import re
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from roi_reports.config import Config
from roi_reports.periods import parse_period
from roi_reports.reports.excel import write_workbook
from roi_reports.reports.model import build_report_model
from tests.helpers import make_dataset

pytestmark = pytest.mark.slow

PERSIAN_NAME = "نگار محمدی"
LATIN_NAMES = ("Aino Virtanen", "Sara Ahmadi")
ARABIC_LETTERS = re.compile("[\u0600-\u06ff]")
# (channel, employee, cost, revenue): ROI 300 %, 50 % and (650 − 1000) / 1000 = −35 %
CHANNELS = (
    ("Trade fairs", "Aino Virtanen", 100.0, 400.0),
    ("Email", PERSIAN_NAME, 200.0, 300.0),
    ("Search ads", "Sara Ahmadi", 1000.0, 650.0),
)
NEGATIVE_LABEL = "-35%"  # the chart's data label format is #,##0"%"


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    left: float
    top: float
    right: float


def sample_workbook(folder: Path) -> Path:
    day = date(2026, 10, 15)
    results, costs = [], []
    for channel, employee, cost, revenue in CHANNELS:
        results.append(
            {"date": day, "channel": channel, "employee": employee, "contacts": 50}
            | {"conversions": 5, "revenue": revenue}
        )
        costs.append({"date": day, "channel": channel, "employee": employee, "amount": cost})
    dataset = make_dataset(results=results, costs=costs)
    model = build_report_model(dataset, Config(), parse_period("2026-10"))
    return write_workbook(model, folder / "book.xlsx")


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return sample_workbook(tmp_path_factory.mktemp("layout"))


@pytest.fixture(scope="module")
def printed(book: Path) -> list[Word]:
    """Every word of the workbook as LibreOffice prints it, with its position."""
    folder = book.parent
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(folder / "book.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words, page = [], 0
    for line in boxes.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line
        )
        if found:
            left, top, right, text = found.groups()
            words.append(Word(page, html.unescape(text), float(left), float(top), float(right)))
    return words


def lines(words: list[Word]) -> dict[tuple[int, float], list[Word]]:
    """Words by page and line (their top, to a tenth of a point)."""
    grouped: dict[tuple[int, float], list[Word]] = {}
    for word in words:
        grouped.setdefault((word.page, round(word.top, 1)), []).append(word)
    return grouped


def test_persian_names_cells_are_aligned_left_like_the_others(book):
    sheet = load_workbook(book)["By employee"]
    names = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2, max_row=4)}
    assert set(names) == {PERSIAN_NAME, *LATIN_NAMES}
    assert names[PERSIAN_NAME].alignment.horizontal == "left"


def test_persian_names_start_where_the_latin_names_start_in_libreoffice(printed):
    """On each page that lists the names, the Persian one starts at the same x."""
    starts: dict[int, dict[str, float]] = {}
    for (page, _top), words in lines(printed).items():
        text = " ".join(w.text for w in sorted(words, key=lambda w: w.left))
        start = min(w.left for w in words)
        if any(ARABIC_LETTERS.search(w.text) for w in words):
            starts.setdefault(page, {})["persian"] = start
        for name in LATIN_NAMES:
            if text.startswith(name):
                starts.setdefault(page, {})[name] = start
    compared = {page: found for page, found in starts.items() if len(found) == 3}
    assert compared, starts  # at least the By employee sheet shows all three
    for page, found in compared.items():
        assert max(found.values()) - min(found.values()) < 1.0, (page, found)


def test_a_negative_bars_label_does_not_overlap_its_channel_name(printed, book):
    (label,) = [w for w in printed if w.text == NEGATIVE_LABEL]
    same_line = lines(printed)[(label.page, round(label.top, 1))]
    name = [w for w in same_line if w.text in ("Search", "ads")]
    assert len(name) == 2  # the channel's category label beside its bar
    for word in name:
        assert word.right <= label.left or label.right <= word.left, (word, label)
    # the names sit at the low end of the value axis, outside the bars
    with zipfile.ZipFile(book) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert chart.count('<c:tickLblPos val="low"/>') == 1
