"""A read worker's tables packed for the pipe back to the job.

A 250,000-row file's tables pickle to about 41 MB, and a worker waits while the job reads
them off the pipe (0.2–0.3 s a file, the other worker's file queued behind it). Half of
that is texts repeated on every row: the file and sheet names, the currency, the channel,
the campaign and the employee. Sent dictionary-encoded (each distinct text once, and a
small integer per row), the same tables take 20 MB, and the job decodes them back into the
very columns the worker had (the same values, missing cells and dtype).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from roi_reports.ingest.dataset import FileTables
from roi_reports.ingest.schemas import SheetKind

# the columns packed: texts kept in Arrow with pandas' missing value (the readers' dtype)
PACKED_DTYPE = pd.StringDtype("pyarrow")


@dataclass(frozen=True)
class PackedFrame:
    """A frame without its repeated text columns, those columns dictionary-encoded (Arrow),
    and the column order to put them back in."""

    rest: pd.DataFrame
    encoded: dict[str, Any]  # column → pyarrow ChunkedArray of a dictionary type
    columns: list[str]


@dataclass(frozen=True)
class PackedTables:
    tables: FileTables  # without frames
    frames: dict[SheetKind, PackedFrame]


def pack_tables(tables: FileTables) -> PackedTables:
    frames = {kind: pack_frame(frame) for kind, frame in tables.frames.items()}
    return PackedTables(replace(tables, frames={}), frames)


def unpack_tables(packed: PackedTables) -> FileTables:
    frames = {kind: unpack_frame(frame) for kind, frame in packed.frames.items()}
    return replace(packed.tables, frames=frames)


def pack_frame(frame: pd.DataFrame) -> PackedFrame:
    encoded = {}
    for column in frame.columns:
        if frame[column].dtype == PACKED_DTYPE:
            array = frame[column].array.__arrow_array__().dictionary_encode()
            # worth it only where texts repeat; a column of distinct texts goes as it is
            if sum(len(chunk.dictionary) for chunk in array.chunks) * 2 <= len(frame):
                encoded[str(column)] = array
    return PackedFrame(frame.drop(columns=list(encoded)), encoded, list(frame.columns))


def unpack_frame(packed: PackedFrame) -> pd.DataFrame:
    rest = packed.rest
    decoded = {
        column: pd.Series(
            pd.arrays.ArrowStringArray(array.cast(array.type.value_type)),
            index=rest.index,
            copy=False,
        )
        for column, array in packed.encoded.items()
    }
    return rest.assign(**decoded)[packed.columns]
