"""The date libraries stamp into a report is the period's last day, never the clock.

Some libraries write the current time into what they make unless SOURCE_DATE_EPOCH
(https://reproducible-builds.org/specs/source-date-epoch/) says otherwise. The one that
matters here: where WeasyPrint finds no HarfBuzz-subset library (Debian without
`libharfbuzz-subset0`), it subsets each embedded font with fontTools, which writes the
time into the font's `head.modified` (fontTools.misc.timeTools.timestampNow), so two
runs a second apart gave different PDFs.

`pdf_render.render_page` runs inside `documents_dated(day)`, wherever it runs: a pool
worker, a Dask worker or the calling process (`make bench`, tests). The variable is set
for the block and restored after it; one lock keeps two threads of one process from
rendering different periods under each other's date.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

VARIABLE = "SOURCE_DATE_EPOCH"
_lock = threading.Lock()


def epoch_seconds(day: date) -> int:
    """Midnight UTC at the start of `day`, in seconds since 1970 (the PDFs' own date)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


@contextmanager
def documents_dated(day: date) -> Iterator[None]:
    """Within the block, libraries that stamp the time stamp `day` instead."""
    with _lock:
        previous = os.environ.get(VARIABLE)
        os.environ[VARIABLE] = str(epoch_seconds(day))
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(VARIABLE, None)
            else:
                os.environ[VARIABLE] = previous
