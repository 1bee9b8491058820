"""Each PDF renders in a worker within a time and memory limit; one over it fails alone."""

from __future__ import annotations

import pytest

from roi_reports import load_dataset
from roi_reports.config import parse_config
from roi_reports.errors import ConfigError
from roi_reports.pipeline import resolve_period
from roi_reports.reports.model import Scope
from roi_reports.reports.pdf import ReportTemplateError, render_reports
from tests.test_model import SAMPLE

pytestmark = pytest.mark.pdf
SCOPES = [Scope(), Scope("channel", "LinkedIn")]


def render(tmp_path, output: dict, failures: dict | None):
    config = parse_config({"output": output})
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period("2026-10", config.report)
    return render_reports(dataset, config, period, SCOPES, tmp_path, failures=failures)


@pytest.mark.parametrize(
    ("limit", "message"),
    [({"pdf_memory_mb": 60}, "pdf_memory_mb = 60 MB"), ({"pdf_timeout_s": 0.05}, "0.05 s")],
)
def test_a_report_over_a_limit_fails_cleanly(tmp_path, limit, message):
    failures: dict = {}
    assert render(tmp_path, limit, failures) == {}
    assert set(failures) == set(SCOPES)
    assert all(message in why and "was stopped" in why for why in failures.values())
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_without_a_failures_dict_the_error_is_raised(tmp_path):
    with pytest.raises(ReportTemplateError, match="pdf_timeout_s"):
        render(tmp_path, {"pdf_timeout_s": 0.05}, None)


def test_within_the_limits_every_report_is_made(tmp_path):
    failures: dict = {}
    made = render(tmp_path, {}, failures)
    assert failures == {} and set(made) == set(SCOPES)
    assert all(path.stat().st_size > 10_000 for path in made.values())


def test_limits_must_be_positive():
    with pytest.raises(ConfigError, match=r"\[output\] pdf_timeout_s"):
        parse_config({"output": {"pdf_timeout_s": 0}})
