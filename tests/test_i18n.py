"""Translations: complete catalogs, and reports rendered in Finnish and Persian."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from roi_reports.config import Config, ReportConfig
from roi_reports.i18n import LOCALE_DIR, gettext_for
from roi_reports.pipeline import load_dataset, resolve_period
from roi_reports.reports.excel import SHEET_NAMES, write_workbook
from roi_reports.reports.formatting import format_metric
from roi_reports.reports.model import build_report_model
from roi_reports.reports.pdf import render_pdf
from tests.helpers import pdf_text

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"
TRANSLATED = ("fi", "fa")
KEYWORDS = {"_": None, "gettext": None, "N_": None, "t": None}


def _source_messages() -> set[str]:
    """Every msgid marked in the code and the templates (as `make catalogs` extracts)."""
    found: set[str] = set()
    for subdir, method in (("roi_reports", "python"), ("templates", "jinja2")):
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _context in extract_from_dir(
            REPO / subdir,
            method_map=[(pattern, method)],
            options_map={pattern: options},
            keywords=KEYWORDS,
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "roi_reports.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_user_visible_string_is_translated(language):
    messages = _source_messages()
    assert {"Revenue", "Executive summary", "Hello {name},", "Page"} <= messages
    catalog = _catalog(language)
    missing = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert not missing, f"{language} lacks translations (run make catalogs): {missing}"
    assert not fuzzy, f"{language} has fuzzy translations to review: {fuzzy}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalog_matches_the_po_file(language):
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(language))
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    path = LOCALE_DIR / language / "LC_MESSAGES" / "roi_reports.mo"
    with path.open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    # the messages, not the header: it names the Babel version that compiled the file
    messages = {k: v for k, v in shipped._catalog.items() if k}  # type: ignore[attr-defined]
    wanted = {k: v for k, v in expected._catalog.items() if k}  # type: ignore[attr-defined]
    assert messages == wanted, "stale .mo file: run make catalogs"


def test_translations_keep_placeholders_and_excel_sheet_name_rules():
    for language in TRANSLATED:
        for message in _catalog(language):
            if message.id and "{" in message.id:
                assert sorted(_fields(message.id)) == sorted(_fields(message.string)), message.id
        _ = gettext_for(language)
        for name in SHEET_NAMES:
            assert len(_(name)) <= 31 and not set(_(name)) & set("[]:*?/\\"), _(name)
    assert gettext_for("fi")("no such message") == "no such message"  # English fallback


def _fields(text: str) -> list[str]:
    import string

    return [field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field]


@pytest.fixture(scope="module")
def sample():
    return load_dataset([SAMPLE], Config())


def _model(sample, language: str):
    config = Config(report=ReportConfig(language=language))
    period = resolve_period("2026-10", config.report)
    return config, build_report_model(sample, config, period, inputs=[SAMPLE])


EXPECTED = {
    "fi": ("Johdon yhteenveto", "Sijoitetun pääoman tuotto %", "Liikevaihto", "Sivu 1 / "),
    # (no lam-alef: pdftotext extracts that ligature's two letters in visual order)
    "fa": ("بازگشت سرمایه ٪", "درآمد", "سود خالص", "بر اساس کانال", "صفحه"),
}


@pytest.mark.pdf
@pytest.mark.parametrize("language", TRANSLATED)
def test_summary_pdf_is_translated_and_locale_formatted(sample, tmp_path, language):
    config, model = _model(sample, language)
    path = render_pdf(model, config, tmp_path / "executive-summary.pdf")
    text = _plain(pdf_text(path))
    for label in EXPECTED[language]:
        assert label in text, label
    for metric in ("revenue", "roi_pct"):
        assert _plain(format_metric(metric, model.kpi(metric), "EUR", language)) in text
    if language == "fi":
        assert "25 324,50 €" in text and "156,2 %" in text and "1.10.2026" in text
    else:
        assert "۲۵٬۳۲۴٫۵۰" in text and "۱۵۶٫۲٪" in text and "English" not in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    if language == "fa":
        assert "Noto-Sans-Arabic" in fonts.stdout
    assert all(" yes " in line for line in fonts.stdout.splitlines()[2:])  # all embedded


def _plain(text: str) -> str:
    """Without the no-break spaces, direction marks and embeddings pdftotext varies on."""
    text = text.replace("\xa0", " ").replace("\u202f", " ")
    return re.sub("[\u200c\u200e\u200f\u202a-\u202e]", "", text)


@pytest.mark.parametrize("language", TRANSLATED)
def test_excel_summary_has_translated_headers_and_numeric_cells(sample, tmp_path, language):
    _config, model = _model(sample, language)
    _ = gettext_for(language)
    path = write_workbook(model, tmp_path / "roi-summary-2026-10.xlsx", language)
    book = load_workbook(path)
    assert book.sheetnames == [_(name) for name in SHEET_NAMES]
    summary = book[_("Summary")]
    rows = {row[0]: row[1:] for row in summary.iter_rows(values_only=True) if row[0]}
    assert rows[_("Metric")][:1] == ("2026-10",)
    revenue = rows[_("Revenue")][0]
    assert isinstance(revenue, float) and revenue == pytest.approx(model.kpi("revenue"))
    header = next(book[_("By channel")].iter_rows(max_row=1, values_only=True))
    assert header[:2] == (_("Channel"), _("Contacts"))


@pytest.mark.parametrize(
    ("language", "sheet", "header"), [("fi", "Tulokset", "Kanava"), ("fa", "نتایج", "کانال")]
)
def test_init_in_a_language_gives_local_sheets_that_read_the_same(
    tmp_path, language, sheet, header
):
    from roi_reports import compute_metrics
    from roi_reports.config import load_config
    from tests.helpers import run_cli

    root = tmp_path / "team"
    assert run_cli("init", "--language", language, str(root)).exit_code == 0
    config = load_config(root / "roi-reports.toml")
    assert config.report.language == language
    assert config.report.title == gettext_for(language)("Marketing ROI") != "Marketing ROI"
    local = root / "inbox" / "roi-sample.xlsx"
    book = load_workbook(local, read_only=True)
    assert sheet in book.sheetnames and header in next(book[sheet].iter_rows(values_only=True))
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "roi-sample.xlsx"
    ours, theirs = (
        compute_metrics(load_dataset([path], config), config, by=("channel",), period="2026-10")
        for path in (local, sample)
    )
    pd.testing.assert_frame_equal(ours, theirs)


def test_run_summary_speaks_the_report_language(tmp_path):
    from roi_reports.jobs.console import ingest_lines
    from roi_reports.jobs.inbox import Accepted, IngestSummary

    summary = IngestSummary(accepted=[Accepted("kulut.xlsx", "0" * 64, {"costs": 3}, "a", None)])
    assert ingest_lines(summary, "fi") == ["hyväksytty kulut.xlsx (3 riviä (costs))"]
    assert ingest_lines(summary, "en") == ["accepted   kulut.xlsx (3 costs rows)"]
