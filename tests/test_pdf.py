"""PDF reports: read back with pypdf/pdftotext, fonts with pdffonts, pages with pdftoppm."""

from __future__ import annotations

import dataclasses
import subprocess
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from pypdf import PdfReader

from roi_reports.config import Config, ReportConfig, load_config
from roi_reports.errors import ConfigError
from roi_reports.ingest.dataset import Dataset
from roi_reports.pipeline import load_dataset, resolve_period
from roi_reports.reports.formatting import format_metric
from roi_reports.reports.model import Scope, build_report_model
from roi_reports.reports.pdf import (
    default_scopes,
    pdf_file_name,
    render_pdf,
    render_reports,
    slug,
    unique_pdf_names,
)
from roi_reports.reports.pdf_render import ReportTemplateError, logo_data_uri, make_url_fetcher
from roi_reports.resources import template_root
from tests.helpers import pdf_text, run_cli

pytestmark = pytest.mark.pdf
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"
TRICKY = "Mia <b>Berg</b>"
CHANNELS = ("Google Ads", "Influencers", "LinkedIn", "Networking events", "Trade fairs")


def _renamed(dataset: Dataset, old: str, new: str) -> Dataset:
    """The sample with one employee renamed (to prove names print literally)."""

    def swap(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        return frame.assign(**{column: frame[column].replace(old, new)})

    return dataclasses.replace(
        dataset,
        results=swap(dataset.results, "employee"),
        costs=swap(dataset.costs, "employee"),
        targets=swap(dataset.targets, "name"),
    )


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return _renamed(load_dataset([SAMPLE], Config()), "Sara Ahmadi", TRICKY)


@pytest.fixture(scope="module")
def summary(sample, tmp_path_factory):
    """The executive summary of October 2026, rendered once for every test below."""
    config = Config()
    period = resolve_period("2026-10", config.report)
    model = build_report_model(sample, config, period, inputs=[SAMPLE])
    path = render_pdf(model, config, tmp_path_factory.mktemp("pdf") / "executive-summary.pdf")
    text = pdf_text(path, layout=True)
    return model, path, text


def test_summary_shows_title_period_channels_and_figures_as_the_workbook(summary):
    model, _path, text = summary
    assert "Executive summary" in text and "ROI report" in text
    assert "2026-10 (2026-10-01 – 2026-10-31)" in text and "2026-09" in text
    for channel in CHANNELS:
        assert channel in text, channel
    for metric in ("revenue", "cost", "net_profit", "roi_pct", "roas", "cpa"):
        assert format_metric(metric, model.kpi(metric), "EUR") in text, metric
    assert "€25,324.50" in text and "156.2%" in text  # the sample's October revenue and ROI
    for section in ("By channel", "Top employees by ROI", "Targets and attainment"):
        assert section in text
    assert "How these are computed" in text and "net profit / investment × 100" in text
    assert "Data quality" in text


def test_user_strings_print_literally(summary):
    _model, _path, text = summary
    assert TRICKY in text


def test_page_count_metadata_and_footer(summary):
    _model, path, text = summary
    reader = PdfReader(path)
    pages = len(reader.pages)
    assert pages >= 2
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert reader.metadata.title.startswith("ROI report – Executive summary – 2026-10")
    # the documents' date is the period's last day, never the run time (reproducible bytes)
    assert reader.metadata.creation_date.date() == date(2026, 10, 31)
    assert "Latest entry 2026-10-26" in text  # the sample's last weekly row in October


def test_every_font_is_embedded(summary):
    _model, path, _text = summary
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert lines, "no fonts listed"
    for line in lines:
        # columns: name type encoding emb sub uni object ID
        assert line.split()[-5] == "yes", line


def test_pages_render_to_png(summary, tmp_path):
    _model, path, _text = summary
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(PdfReader(path).pages)
    assert all(image.read_bytes().startswith(b"\x89PNG") for image in images)


def test_bursting_in_a_process_pool(sample, tmp_path):
    config = Config()
    period = resolve_period("2026-10", config.report)
    scopes = [Scope("employee", "نگار محمدی"), Scope("channel", "LinkedIn")]
    done: list[Scope] = []
    written = render_reports(
        sample, config, period, scopes, tmp_path, progress=done.append, workers=2
    )
    assert {p.name for p in written.values()} == {"employee-نگار-محمدی.pdf", "channel-linkedin.pdf"}
    assert sorted(done, key=str) == sorted(scopes, key=str)
    employee = PdfReader(written[scopes[0]])
    text = "".join(page.extract_text() for page in employee.pages)
    # the KPI cards set the employee's figures beside the team's
    team_revenue = format_metric(
        "revenue", build_report_model(sample, config, period).kpi("revenue"), "EUR"
    )
    assert f"Team: {team_revenue}" in text
    assert not list(tmp_path.glob(".*.tmp")), "temp files left behind"


class _Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):
        _Recorder.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_remote_and_outside_urls_are_never_fetched(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/logo.png"
    custom = tmp_path / "mytemplates"
    custom.mkdir()
    (custom / "report.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ page.heading }}</h1>'
        f'<img src="{url}"><link rel="stylesheet" href="{url}.css">'
        '<img src="file:///etc/hostname"><img src="../secret.png">{% endblock %}',
        encoding="utf-8",
    )
    (tmp_path / "roi-reports.toml").write_text('[report]\ntemplate_dir = "mytemplates"\n')
    config = load_config(tmp_path / "roi-reports.toml")
    model = build_report_model(
        load_dataset([SAMPLE], config), config, resolve_period("2026-10", config.report)
    )
    try:
        path = render_pdf(model, config, tmp_path / "out.pdf")
    finally:
        server.shutdown()
    assert _Recorder.requests == []
    assert "Executive summary" in PdfReader(path).pages[0].extract_text()


def test_fetcher_allows_only_data_and_the_template_folder():
    fetcher = make_url_fetcher([template_root()])
    assert fetcher.fetch((template_root() / "report.css").as_uri()).read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("http://127.0.0.1:9/x", "file:///etc/passwd", "ftp://example.org/x"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    outside = (template_root() / ".." / "README.md").resolve().as_uri()
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(outside)


def test_template_errors_are_one_line(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "report.html").write_text("{{ page.no_such_value }}", encoding="utf-8")
    (tmp_path / "roi-reports.toml").write_text('[report]\ntemplate_dir = "t"\n')
    config = load_config(tmp_path / "roi-reports.toml")
    model = build_report_model(
        load_dataset([SAMPLE], config), config, resolve_period("2026-10", config.report)
    )
    with pytest.raises(ReportTemplateError, match="does not exist") as error:
        render_pdf(model, config, tmp_path / "x.pdf")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("scope", "name"),
    [
        (Scope(), "executive-summary.pdf"),
        (Scope("employee", "Aino Virtanen"), "employee-aino-virtanen.pdf"),
        (Scope("employee", "Jääskeläinen, Örjan"), "employee-jaaskelainen-orjan.pdf"),
        (Scope("employee", "نگار محمدی"), "employee-نگار-محمدی.pdf"),
        (Scope("channel", "../../etc/passwd"), "channel-etc-passwd.pdf"),
        (Scope("campaign", "a\x00b\nc/d\\e"), "campaign-a-b-c-d-e.pdf"),
        (Scope("campaign", "///"), "campaign-unnamed.pdf"),
        (Scope("channel", TRICKY), "channel-mia-b-berg-b.pdf"),
    ],
)
def test_pdf_file_names_are_safe_slugs(scope, name):
    assert pdf_file_name(scope) == name


def test_slug_never_makes_a_path():
    for text in ("..", "a/../b", "\x7f\x1b[31m", " ", "C:\\x"):
        result = slug(text)
        assert "/" not in result and "\\" not in result and ".." not in result
        assert result and all(ch.isprintable() for ch in result)


def test_colliding_names_are_made_unique_in_order():
    scopes = [
        Scope("employee", "Mia Berg"),
        Scope("employee", "Mia-Berg"),
        Scope("employee", "MIA berg"),
    ]
    assert list(unique_pdf_names(scopes).values()) == [
        "employee-mia-berg.pdf",
        "employee-mia-berg-2.pdf",
        "employee-mia-berg-3.pdf",
    ]


def test_default_scopes_from_dataset_and_model_agree():
    config = Config()
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period("2026-10", config.report)
    from_dataset = default_scopes(dataset, config, period)
    model = build_report_model(dataset, config, period)
    assert from_dataset == default_scopes(model)
    assert from_dataset[0] == Scope()
    assert Scope("employee", "نگار محمدی") in from_dataset
    assert [s.name for s in from_dataset if s.kind == "channel"] == list(CHANNELS)
    assert all(s.name is not None for s in from_dataset[1:]), "unassigned is not a scope"


def test_logo_must_exist_and_be_an_image(tmp_path):
    config = Config(ReportConfig(logo="missing.png"), source=tmp_path / "roi-reports.toml")
    with pytest.raises(ConfigError, match=r"missing\.png"):
        logo_data_uri(config)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    ok = Config(ReportConfig(logo="logo.png"), source=tmp_path / "roi-reports.toml")
    assert (logo_data_uri(ok) or "").startswith("data:image/png;base64,")
    with pytest.raises(ConfigError, match=r"\.png, \.jpg or \.svg"):
        logo_data_uri(Config(ReportConfig(logo="roi-reports.toml"), source=tmp_path / "x"))


def test_cli_rejects_an_unknown_scope_before_rendering(tmp_path):
    result = run_cli(
        "pdf", "--period", "2026-10", "--scope", "region:x", "-o", str(tmp_path), str(SAMPLE)
    )
    assert result.exit_code == 2
    assert "Error: unknown scope 'region:x'" in result.output
    assert not list(tmp_path.glob("*.pdf"))
