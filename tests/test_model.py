"""The report model: scoped reports show exactly their row of the team's tables."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from roi_reports import load_dataset
from roi_reports.config import parse_config
from roi_reports.pipeline import resolve_period
from roi_reports.reports.model import Scope, build_report_model

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "roi-sample.xlsx"
NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
FIGURES = ["cost", "revenue", "net_profit", "roi_pct", "roas", "conversions", "roi_pct_prev"]


@pytest.fixture(scope="module", params=["revenue", "even"])
def team(request):
    config = parse_config({"report": {"shared_costs": request.param}})
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period("2026-10", config.report)
    return dataset, config, period, build_report_model(dataset, config, period)


@pytest.mark.parametrize("kind", ["employee", "channel"])
def test_scoped_report_matches_its_row_of_the_team_report(team, kind):
    dataset, config, period, model = team
    table = getattr(model, f"by_{kind}")
    for name in table[kind].dropna():
        scoped = build_report_model(dataset, config, period, Scope(kind, name))
        row = table[table[kind] == name].iloc[0]
        mine = scoped.total.iloc[0]
        for figure in FIGURES:
            assert mine[figure] == pytest.approx(row[figure], nan_ok=True), (name, figure)
        assert scoped.team_total is not None
        assert scoped.team_total.iloc[0]["cost"] == pytest.approx(model.kpi("cost"))


def test_scoped_breakdown_adds_up_to_the_scoped_total(team):
    dataset, config, period, _ = team
    scoped = build_report_model(dataset, config, period, Scope("employee", "Sara Ahmadi"))
    by_channel = scoped.by_channel
    assert set(by_channel.columns) >= {"channel", "cost"} and "employee" not in by_channel
    # revenue is never allocated; cost adds up to the cent in proportional modes
    assert by_channel["revenue"].sum() == pytest.approx(scoped.kpi("revenue"))
    if config.report.shared_costs != "even":
        assert by_channel["cost"].sum() == pytest.approx(scoped.kpi("cost"), abs=0.01)
    assert not pd.isna(scoped.kpi("roi_pct"))


def test_a_shared_memo_gives_every_scope_the_same_tables_as_building_it_alone(team):
    dataset, config, period, model = team
    names = [
        (kind, name)
        for kind in ("employee", "channel", "campaign")
        for name in getattr(model, f"by_{kind}")[kind].dropna()[-1:]
    ]
    memo: dict = {}
    for kind, name in [*names, ("employee", "Nobody at all")]:
        shared = build_report_model(dataset, config, period, Scope(kind, name), memo=memo)
        alone = build_report_model(dataset, config, period, Scope(kind, name))
        for field in ("total", "by_channel", "by_employee", "by_campaign", "by_month"):
            pd.testing.assert_frame_equal(getattr(shared, field), getattr(alone, field))
        pd.testing.assert_frame_equal(shared.monthly_total, alone.monthly_total)
        pd.testing.assert_frame_equal(shared.targets, alone.targets)
        assert (shared.latest_entry, shared.warnings) == (alone.latest_entry, alone.warnings)
