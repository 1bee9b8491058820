"""The shortcuts that make reading a large workbook cheap give what the general path gives.

- A workbook sheet's rows are all as wide as the sheet, so its columns are cut from one
  2-D array; a text file's ragged rows take the general path. Both give the same frame.
- A column without text is blank exactly where it is missing; one with text is judged
  value by value.
- Reading pauses the cyclic garbage collector and leaves it as it found it.
"""

from __future__ import annotations

import datetime as dt
import gc
import math

import pandas as pd
import pytest

from roi_reports.config import Config
from roi_reports.ingest import dataset
from roi_reports.ingest.frames import _frame
from roi_reports.ingest.raw import LINE_KEY
from roi_reports.ingest.values import _is_blank, _map_distinct, blank_mask
from tests.helpers import RESULTS_HEADER, write_workbook

POSITIONS = {0: "date", 2: "campaign", 4: "contacts"}


def test_a_sheets_rectangular_rows_give_the_frame_of_ragged_rows():
    rectangular = [
        ["2026-10-01", "LinkedIn", "Autumn", "Aino", 10, None],
        [None, None, None, None, None, None],  # blank: left out
        ["2026-10-02", "Email", None, "Eero", "  ", None],
        ["2026-10-03", None, "  ", None, None, None],
    ]
    ragged = [
        row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)]
        for row in rectangular
    ]
    assert {len(row) for row in ragged} != {6}  # the general path is taken
    fast, general = _frame(rectangular, POSITIONS, 2), _frame(ragged, POSITIONS, 2)
    assert list(fast.index) == [2, 4, 5]
    pd.testing.assert_frame_equal(fast.drop(columns=LINE_KEY), general.drop(columns=LINE_KEY))
    assert fast["campaign"].tolist() == ["Autumn", None, "  "]


def test_rows_that_all_reach_the_last_mapped_column_take_the_array_path():
    rows = [["2026-10-01", "x", "A", "y", 1, "extra"], ["2026-10-02", "x", "B", "y", 2]]
    frame = _frame(rows, POSITIONS, 2)
    assert frame["campaign"].tolist() == ["A", "B"] and frame["contacts"].tolist() == [1, 2]
    one = _frame(rows, {2: "campaign"}, 2)
    assert list(one.columns) == ["campaign", LINE_KEY] and one["campaign"].tolist() == ["A", "B"]


def test_a_frame_without_blank_rows_keeps_every_row():
    rows = [["2026-10-01", "x", "A", "y", 1], ["2026-10-02", "x", "B", "y", 2]]
    frame = _frame(rows, POSITIONS, 7)
    assert list(frame.index) == [7, 8] and frame["contacts"].tolist() == [1, 2]


@pytest.mark.parametrize(
    "cells",
    [
        [1.0, None, math.nan, 2, 0.0],
        [1, None, 3],
        [dt.date(2026, 10, 1), None, dt.date(2026, 10, 2)],
        [dt.datetime(2026, 10, 1, 9), math.nan],
        [True, None, False],
        [None, None],
        [1.0, "  ", None, "12", ""],
        ["a", "", None, " b "],
        [dt.date(2026, 10, 1), " ", 5.0],
    ],
)
def test_blank_cells_are_found_whether_or_not_a_column_has_text(cells):
    values = pd.Series(cells, dtype=object)
    judged_one_by_one = _map_distinct(values, _is_blank).fillna(True).astype(bool)
    pd.testing.assert_series_equal(blank_mask(values), judged_one_by_one)


def test_reading_pauses_the_garbage_collector_and_restores_it(tmp_path, monkeypatch):
    path = write_workbook(
        tmp_path / "a.xlsx",
        {"results": [RESULTS_HEADER, ["2026-10-05", "LinkedIn", "A", "Aino", 10, 1, 100, 40]]},
    )
    seen: list[bool] = []
    read_file = dataset.read_file

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return read_file(*args, **kwargs)

    monkeypatch.setattr(dataset, "read_file", watched)
    assert gc.isenabled()
    tables = dataset.read_file_tables(path, Config())
    assert seen == [False] and gc.isenabled()
    assert len(tables.frames["results"]) == 1
    gc.disable()
    try:
        dataset.read_file_tables(path, Config())
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
