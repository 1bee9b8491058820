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

import pandas as pd
import pyarrow as pa

from roi_reports.ingest.dataset import FileTables
from roi_reports.ingest.schemas import SheetKind

# the columns packed: texts kept in Arrow with pandas' missing value (the readers' dtype)
PACKED_DTYPE = pd.StringDtype("pyarrow")


@dataclass(frozen=True)
class PackedFrame:
    """A frame without its repeated text columns, those columns dictionary-encoded (Arrow),
    and the column order to put them back in."""

    rest: pd.DataFrame
    encoded: dict[str, pa.DictionaryArray]
    columns: pd.Index


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
    """`frame` for the trip; one whose column names are not distinct texts goes whole."""
    encoded: dict[str, pa.DictionaryArray] = {}
    if frame.columns.is_unique and all(isinstance(c, str) for c in frame.columns):
        for column in frame.columns:
            if frame[column].dtype == PACKED_DTYPE:
                # one chunk, so the distinct texts are sent once, not once a chunk
                array = _one_chunk(pa.array(frame[column].array)).dictionary_encode()
                # worth it only where texts repeat; a column of distinct texts goes as it is
                if len(array.dictionary) * 2 <= len(frame):
                    encoded[column] = array
    return PackedFrame(frame.drop(columns=list(encoded)), encoded, frame.columns)


def unpack_frame(packed: PackedFrame) -> pd.DataFrame:
    if not packed.encoded:
        return packed.rest
    frame = packed.rest.copy(deep=False)
    for column, array in packed.encoded.items():
        texts = pd.arrays.ArrowStringArray(array.dictionary_decode())
        frame[column] = pd.Series(texts, index=frame.index, copy=False)
    return frame.reindex(columns=packed.columns)


def _one_chunk(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
