"""Checks on every file before it leaves: nothing half-right is emailed.

Each PDF must open, have a page, carry extractable text that names the period and the
headline figures (the KPI cards' labels, in the report's language), and print no `nan` or
`inf`; the workbook must reopen with its Summary sheet, and its headline cells
must equal the engine's numbers. A file that fails is withheld: the deliveries that need
it fail with the reason, the others go out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

from roi_reports.i18n import RTL_LANGUAGES, gettext_for
from roi_reports.jobs.manifest import OutputFile
from roi_reports.metrics import METRICS
from roi_reports.reports.formatting import localise_digits
from roi_reports.reports.model import ReportModel
from roi_reports.reports.pdf_display import KPI_METRICS

NOT_A_NUMBER = re.compile(r"(?<![\w.])(?:nan|NaN|inf|-inf|Infinity)(?![\w.])")
RECONCILED = ("cost", "revenue")  # headline cells of the Summary sheet
ZWNJ = "\u200c"  # inside Persian words; text extraction may drop it


def check_outputs(
    folder: Path,
    files: list[OutputFile],
    model: ReportModel,
    language: str,
    verdicts: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Attachment key → why that file must not be sent (empty when all pass).

    `language` is the reports' own ([report] language): a file made in a stakeholder's
    language says which; the others are in this one and are checked in it. `verdicts`
    (file path → problem or None) are of files already checked where they were made: the
    PDF workers check each report they write (`render_reports`), as here.
    """
    problems: dict[str, str] = {}
    done = verdicts or {}
    for file in files:
        if file.path in done:
            problem = done[file.path]
        else:
            check = check_workbook if file.kind == "xlsx" else check_pdf
            problem = check(folder / file.path, model, file.language or language)
        if problem:
            problems[file.attachment_key] = f"{file.path}: {problem}"
    return problems


def pdf_pages_text(path: Path) -> list[str]:
    """Each page's text, as a reader's PDF viewer extracts it (PDFium: ~0.03 s for a
    report where pure-Python pypdf needs over a second, which a hundred reports feel)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def check_pdf(path: Path, model: ReportModel, language: str | None = None) -> str | None:
    import pypdfium2 as pdfium

    try:
        texts = pdf_pages_text(path)
    except (pdfium.PdfiumError, OSError) as exc:
        return f"the PDF does not open ({exc})"
    pages, text = len(texts), "\n".join(texts)
    if pages == 0:
        return "the PDF has no pages"
    if not text.strip():
        return "the PDF has no extractable text"
    period = localise_digits(model.period.label, language or "en")
    # right-to-left pages may extract "2026-10" in visual order; the year must be there
    wanted = period.split("-")[0] if language in RTL_LANGUAGES else period
    if wanted not in text:
        return f"the PDF does not name the period {period}"
    if missing := _missing_labels(text, language or "en"):
        return f"the PDF does not show the headline figure “{missing}”"
    if match := NOT_A_NUMBER.search(text):
        return f"the PDF prints {match.group(0)!r} where a number or “–” belongs"
    return None


def _words(text: str) -> set[str]:
    # casefolded: the KPI cards print their labels in capitals (text-transform)
    return set(re.findall(r"\w+", text.replace(ZWNJ, "").casefold()))


def _missing_labels(text: str, language: str) -> str | None:
    """The first KPI label whose words are not all in `text`. Words, not the phrase:
    right-to-left text may extract in visual order, with its parentheses flipped."""
    found = _words(text)
    _ = gettext_for(language)
    for metric in KPI_METRICS:
        label = _(METRICS[metric].label)
        if not _words(label) <= found:
            return label
    return None


def check_workbook(path: Path, model: ReportModel, language: str | None = None) -> str | None:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        return f"the workbook does not open ({type(exc).__name__}: {exc})"
    try:
        summary = book.worksheets[0]
        numbers = [
            cell
            for row in summary.iter_rows(values_only=True)
            for cell in row
            if isinstance(cell, int | float) and not isinstance(cell, bool)
        ]
    finally:
        book.close()
    if any(math.isnan(n) or math.isinf(n) for n in numbers):
        return "the Summary sheet holds a NaN or infinite number"
    for name in RECONCILED:
        expected = model.kpi(name)
        if not any(math.isclose(n, expected, rel_tol=1e-12, abs_tol=1e-9) for n in numbers):
            return f"the Summary sheet's {name} does not equal the engine's {expected:.2f}"
    return None
