"""What surrounds a table: lines above its header and below its data that are not data.

Today: trailing totals rows (`Total`, `Yhteensä`, `جمع`, `Total: Account`), skipped and
reported as warnings so nothing is counted twice.
"""

from __future__ import annotations

from roi_reports.ingest.schemas import TOTAL_LABELS, normalise_header
from roi_reports.validation import Problem


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def total_label(row: list[object]) -> bool:
    first = next((v for v in row if not is_blank(v)), None)
    if not isinstance(first, str):
        return False
    key = normalise_header(first)
    return key in TOTAL_LABELS or key.split(" ", 1)[0] in TOTAL_LABELS


def skip_totals(
    file: str, sheet: str, body: list[list[object]], first: int, problems: list[Problem]
) -> int:
    """Trailing totals rows (`Total`, `Yhteensä`, `جمع`, `Total: Account`): how many to drop.

    Trailing blank rows are stepped over; each skipped row is reported as a warning.
    """
    end = len(body)
    cut = end
    for index in range(end - 1, max(end - 20, -1), -1):
        if all(is_blank(v) for v in body[index]):
            continue
        if not total_label(body[index]):
            break
        cut = index
        problems.append(
            Problem(
                file,
                sheet,
                first + index,
                None,
                str(next(v for v in body[index] if not is_blank(v))),
                "totals row skipped",
                "a totals row is not data; it was left out so nothing is counted twice",
                "warning",
            )
        )
    return end - cut
