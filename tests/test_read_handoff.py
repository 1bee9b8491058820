"""A read worker's tables come back to the job packed (`jobs/handoff.py`): the texts
repeated on every row go dictionary-encoded, and the job decodes them into exactly the
frames the worker had: values, missing cells, dtypes, index and column order."""

from __future__ import annotations

import pickle

import pandas as pd
import pyarrow as pa
import pytest

from roi_reports.ingest.dataset import FileTables
from roi_reports.jobs.handoff import (
    PACKED_DTYPE,
    pack_frame,
    pack_tables,
    unpack_frame,
    unpack_tables,
)
from roi_reports.validation import Problem

ROWS = 1_000


def _results(rows: int = ROWS) -> pd.DataFrame:
    """A results frame as the readers type one: Arrow texts, some missing."""
    channels = ["LinkedIn", "Google Ads", None, "Messukeskus · Helsinki", "بازاریابی"]
    return pd.DataFrame(
        {
            "start": pd.date_range("2026-10-01", periods=rows, freq="h"),
            "channel": pd.array([channels[i % 5] for i in range(rows)], dtype=PACKED_DTYPE),
            "employee": pd.array([f"Person {i % 7}" for i in range(rows)], dtype=PACKED_DTYPE),
            "revenue": [float(i) if i % 3 else None for i in range(rows)],
            "note": pd.array([f"row {i}" for i in range(rows)], dtype=PACKED_DTYPE),
            "file": pd.array(["q4.xlsx"] * rows, dtype=PACKED_DTYPE),
            "row": range(2, rows + 2),
        }
    )


def _round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    return unpack_frame(pickle.loads(pickle.dumps(pack_frame(frame))))


def test_the_repeated_texts_travel_encoded_and_come_back_the_same():
    frame = _results()
    packed = pack_frame(frame)
    assert sorted(packed.encoded) == ["channel", "employee", "file"]
    assert "note" in packed.rest.columns  # a text per row: sent as it is
    back = _round_trip(frame)
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert list(back.dtypes) == list(frame.dtypes)
    assert back["channel"].isna().sum() == ROWS // 5  # missing stays missing, not ""
    assert len(pickle.dumps(packed)) < len(pickle.dumps(frame)) * 0.8


def test_frames_with_an_index_several_chunks_or_no_rows_come_back_the_same():
    frame = _results().iloc[::-1].set_index(pd.Index(range(5, 5 + ROWS)))
    pd.testing.assert_frame_equal(_round_trip(frame), frame, check_exact=True)
    chunked = _results()
    texts = [
        pa.array(["a", None] * 100, pa.large_string()),
        pa.array(["b"] * 800, pa.large_string()),
    ]
    chunked["channel"] = pd.arrays.ArrowStringArray(pa.chunked_array(texts))
    assert pa.array(chunked["channel"].array).num_chunks == 2
    assert len(pack_frame(chunked).encoded["channel"].dictionary) == 2  # once, not per chunk
    pd.testing.assert_frame_equal(_round_trip(chunked), chunked, check_exact=True)
    empty = _results(0)
    pd.testing.assert_frame_equal(_round_trip(empty), empty, check_exact=True)


@pytest.mark.parametrize(
    "dtype",
    [
        "object",
        "category",
        "str",
        pd.StringDtype("python"),
        pd.StringDtype("pyarrow", na_value=float("nan")),
    ],
)
def test_texts_of_other_dtypes_are_left_as_they_are(dtype):
    frame = _results()
    frame["channel"] = frame["channel"].astype(dtype)
    assert "channel" not in pack_frame(frame).encoded
    back = _round_trip(frame)
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert back["channel"].dtype == frame["channel"].dtype


@pytest.mark.parametrize(
    "names",
    [["channel", 0], ["channel", "channel"], ["self", "file"]],
    ids=["number", "twice", "self"],
)
def test_columns_of_any_names_come_back(names):
    texts = pd.array(["a", None, "b", "a"] * 10, dtype=PACKED_DTYPE)
    frame = pd.DataFrame(dict(enumerate([texts, texts])))
    frame.columns = pd.Index(names, dtype=object)
    pd.testing.assert_frame_equal(_round_trip(frame), frame, check_exact=True)


def test_a_files_tables_keep_their_problems_and_notes():
    problem = Problem("q4.xlsx", "Results", 3, "revenue", "x", "not a number", "type a number")
    tables = FileTables("q4.xlsx", {"results": _results()}, (problem,), ("a note",))
    back = unpack_tables(pickle.loads(pickle.dumps(pack_tables(tables))))
    assert (back.name, back.problems, back.notes) == (tables.name, tables.problems, tables.notes)
    pd.testing.assert_frame_equal(
        back.frames["results"], tables.frames["results"], check_exact=True
    )
