"""Sanity flags: spend without contacts, ROAS above a ceiling, large swings."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from roi_reports import load_dataset
from roi_reports.config import SanityConfig, parse_config
from roi_reports.errors import ConfigError
from roi_reports.pipeline import resolve_period
from roi_reports.reports.excel import write_workbook
from roi_reports.reports.model import build_report_model
from roi_reports.reports.pdf import render_pdf
from roi_reports.reports.sanity import Flag, describe_flag, sanity_flags
from tests.helpers import pdf_text
from tests.test_model import SAMPLE


def channels(**columns) -> pd.DataFrame:
    base = {
        "channel": ["A", "B", "C", None],
        "cost": [100.0, 50.0, 10.0, 999.0],
        "contacts": [0.0, 10.0, 5.0, 0.0],
        "roas": [0.0, 30.0, 1.0, 0.0],
        "revenue_change_pct": [10.0, -80.0, float("nan"), 500.0],
        "cost_change_pct": [0.0, 5.0, 51.0, 500.0],
    }
    return pd.DataFrame({**base, **columns})


def test_each_kind_of_flag_and_only_named_channels():
    flags = sanity_flags(channels(), SanityConfig(max_roas=20, max_change_pct=50))
    assert set(flags) == {
        Flag("spend_without_contacts", "A", "cost", 100.0),
        Flag("roas_above_ceiling", "B", "roas", 30.0, 20.0),
        Flag("swing", "B", "revenue", -80.0, 50.0),
        Flag("swing", "C", "cost", 51.0, 50.0),
    }  # the unassigned row and the undefined change raise nothing


def test_limits_come_from_the_config():
    assert sanity_flags(channels(), SanityConfig(max_roas=40, max_change_pct=90)) == (
        Flag("spend_without_contacts", "A", "cost", 100.0),
    )
    with pytest.raises(ConfigError, match=r"\[sanity\] max_roas"):
        parse_config({"sanity": {"max_roas": 0}})


def test_messages_in_each_language():
    flag = Flag("swing", "Messut", "cost", 93.86, 50.0)
    assert describe_flag(flag, "EUR") == (
        "Messut: Cost changed +93.9% against the previous period (limit 50.0%)"
    )
    assert "edelliseen jaksoon" in describe_flag(flag, "EUR", "fi")
    assert "۹۳٫۹" in describe_flag(flag, "EUR", "fa")


@pytest.mark.pdf
def test_flags_reach_the_workbook_and_the_summary_pdf(tmp_path):
    config = parse_config({"report": {"shared_costs": "revenue"}})
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period("2026-10", config.report)
    model = build_report_model(dataset, config, period)
    expected = Flag("swing", "Trade fairs", "cost", pytest.approx(93.86, abs=0.01), 50.0)
    assert expected in model.flags  # the sample's booth costs almost doubled in October
    line = describe_flag(model.flags[0], "EUR")
    sheet = load_workbook(write_workbook(model, tmp_path / "s.xlsx"))["Data quality"]
    assert line in [c for row in sheet.iter_rows(values_only=True) for c in row]
    pdf = render_pdf(model, config, tmp_path / "s.pdf")
    text = pdf_text(pdf)
    assert "Worth a second look" in text and "Trade fairs: Cost changed" in text
