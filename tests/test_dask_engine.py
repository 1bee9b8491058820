"""The Dask engine against the pandas engine on a real LocalCluster (2 worker processes)."""

from __future__ import annotations

import dataclasses
import json
import math
import socket
from datetime import date, datetime
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from roi_reports.bench.scale_data import write_scale_data
from roi_reports.config import Config, EngineConfig, ReportConfig
from roi_reports.engine import engine_dataset, expand, export_sources, store_sources
from roi_reports.engine.pieces import Piece, Rules
from roi_reports.errors import ConfigError, InputError, RoiReportsError
from roi_reports.ingest.dataset import read_file_tables
from roi_reports.jobs.monthly import load_store, run_months
from roi_reports.jobs.workdir import WorkDir
from roi_reports.output import to_json
from roi_reports.periods import month_index, parse_period
from roi_reports.pipeline import DIMENSIONS, compute_metrics
from roi_reports.reports.model import latest_entry
from roi_reports.store import Store
from tests.helpers import run_cli

distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"
ALL_BY = [dims for n in range(len(DIMENSIONS) + 1) for dims in combinations(DIMENSIONS, n)]


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    data = write_scale_data(folder, rows=2000, chunk_rows=700)
    # one costs file as CSV, as a CSV export would arrive
    frame = pd.read_parquet(folder / "costs-0000.parquet")
    frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(
        folder / "costs.csv", index=False
    )
    (folder / "costs-0000.parquet").unlink()
    return [data.pattern, str(folder / "*.csv")]


def engine_config(kind: str, scheduler: str, **report: object) -> Config:
    return Config(
        report=ReportConfig(**report),  # type: ignore[arg-type]
        engine=EngineConfig(kind=kind, scheduler=scheduler, partition_size=400),  # type: ignore[arg-type]
    )


def assert_same_records(expected: str, found: str, context: object) -> None:
    left, right = json.loads(expected), json.loads(found)
    assert len(left) == len(right), context
    for a, b in zip(left, right, strict=True):
        assert a.keys() == b.keys(), context
        for key, value in a.items():
            other = b[key]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9), (context, key)
            else:
                assert value == other, (context, key)  # null stays null, keys are equal


def outcome(dataset, config, **kwargs) -> str:
    try:
        return to_json(compute_metrics(dataset, config, **kwargs))
    except RoiReportsError as exc:
        return f"error: {type(exc).__name__}"


@pytest.fixture(scope="module")
def both(exports, scheduler):
    datasets = {}
    for kind in ("pandas", "dask"):
        config = engine_config(kind, scheduler)
        datasets[kind] = engine_dataset(export_sources(expand(exports), config), config)
    return datasets


def test_dask_sums_only_and_reads_every_piece(both):
    pandas, dask = both["pandas"], both["dask"]
    assert dask.results.empty and dask.sums is not None  # rows stayed on the workers
    assert dask.fine.results["rows"].sum() == len(pandas.results) == 2000
    assert dask.fine.costs["rows"].sum() == len(pandas.costs) == 200
    assert (pandas.costs["currency"] == "EUR").all()  # USD and SEK were converted
    assert len(dask.targets) == 3


SOME_BY = [(), ("channel",), ("employee", "month"), ("campaign", "category", "quarter")]


@pytest.mark.parametrize(
    ("shared_costs", "period", "compare", "combinations"),
    [
        ("none", "2026-Q4", False, ALL_BY),  # every --by combination; shared costs unassigned
        ("revenue", None, False, SOME_BY),
        ("even", "2025-10", True, SOME_BY),
        ("contacts", "2025", True, SOME_BY),
    ],
)
def test_dask_json_equals_pandas_json(both, scheduler, shared_costs, period, compare, combinations):
    config = engine_config("pandas", scheduler, shared_costs=shared_costs, hurdle_roi_pct=100.0)
    nulls = 0
    for by in combinations:
        kwargs = {"by": by, "period": period, "compare": compare}
        expected = outcome(both["pandas"], config, **kwargs)
        found = outcome(both["dask"], config, **kwargs)
        if expected.startswith("error") or found.startswith("error"):
            assert expected == found, by
            continue
        assert_same_records(expected, found, by)
        nulls += expected.count("null")
    assert nulls  # undefined ratios were compared as null, not as 0 or inf


def test_cli_json_is_the_same_on_both_engines(exports, scheduler, tmp_path):
    config = tmp_path / "roi-reports.toml"
    config.write_text(f'[report]\nshared_costs = "revenue"\n[engine]\nscheduler = "{scheduler}"\n')
    outputs = {}
    for kind in ("pandas", "dask"):
        args = ["metrics", "--engine", kind, "--by", "channel,quarter", "--format", "json"]
        result = run_cli(*args, "--config", str(config), *exports)
        assert result.exit_code == 0, result.output
        outputs[kind] = result.stdout
    assert_same_records(outputs["pandas"], outputs["dask"], "cli")


def test_a_missing_scheduler_is_one_clear_line(exports, tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    config = tmp_path / "roi-reports.toml"
    config.write_text(f'[engine]\nkind = "dask"\nscheduler = "{address}"\nconnect_timeout_s = 1\n')
    result = run_cli("metrics", "--config", str(config), *exports)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot reach the Dask scheduler at {address} within 1 s (OSError); "
        "start one with `dask scheduler` or fix [engine] scheduler"
    ]


def test_bad_export_rows_are_listed_with_file_and_row(tmp_path, scheduler):
    frame = pd.DataFrame(
        {
            "date": ["2026-10-01", "2026-10-02", "not a date"],
            "channel": ["LinkedIn"] * 3,
            "contacts": [1.0, 2.0, 3.0],
            "conversions": [1.0, 1.0, 1.0],
            "revenue": [10.0, -5.0, 7.0],
            "currency": ["EUR", "NOK", "EUR"],
        }
    )
    frame.to_parquet(tmp_path / "results.parquet")
    for kind in ("pandas", "dask"):
        config = engine_config(kind, scheduler)
        with pytest.raises(InputError) as caught:
            engine_dataset(export_sources([str(tmp_path / "results.parquet")], config), config)
        found = {(p.file, p.row, p.rule) for p in caught.value.report.errors}
        assert ("results.parquet", 3, "not a date") in found, kind
        assert ("results.parquet", 2, "no exchange rate") in found, kind


def stored_sample(tmp_path: Path) -> WorkDir:
    """A working folder whose store holds the sample workbook plus a quarter-long cost."""
    workdir = WorkDir(tmp_path / "team")
    store = Store(workdir.store)
    tables = read_file_tables(SAMPLE, Config())
    costs = tables.frames["costs"]
    quarter = costs.iloc[:1].assign(
        start=pd.Timestamp("2026-04-01"), end=pd.Timestamp("2026-06-30"), amount=300.0
    )
    frames = {**tables.frames, "costs": pd.concat([costs, quarter], ignore_index=True)}
    store.put(
        dataclasses.replace(tables, frames=frames), "a" * 64, "archive/s.xlsx", datetime.now()
    )
    return workdir


def test_a_period_reads_only_the_partitions_that_touch_it(tmp_path, scheduler):
    store = Store(stored_sample(tmp_path).store)
    october = month_index(2026, 10)
    names = {f"{p.parent.name}/{p.name}" for p in store.row_files("costs", (october, october))}
    assert names == {"month=2026-10/span-1.parquet"}
    may = month_index(2026, 5)  # the quarter-long cost starts in April and reaches into May
    names = {f"{p.parent.name}/{p.name}" for p in store.row_files("costs", (may, may))}
    assert names == {"month=2026-04/span-3.parquet"}
    assert len(store.row_files("costs")) == 5

    # the task graph reads exactly those files: one partition per piece, no others
    from roi_reports.engine.dask_engine import grouped_sums

    sources = store_sources(store, (october, october))
    rules = Rules(currency="EUR", fx=pd.DataFrame(columns=["currency", "month", "rate"]))
    sums = grouped_sums([p for p in sources.pieces if p.kind == "costs"], "costs", rules)[0]
    opened = pieces_in(list(dict(sums.__dask_graph__()).values()))
    assert [Path(p.path).parent.name for p in opened] == ["month=2026-10"]


def pieces_in(node: object) -> list[Piece]:
    """Every piece a task graph reads (tasks hold them as arguments)."""
    from dask._task_spec import GraphNode

    if isinstance(node, Piece):
        return [node]
    if isinstance(node, GraphNode):
        inner = [*getattr(node, "args", ()), *getattr(node, "kwargs", {}).values()]
        return pieces_in(inner + ([node.value] if hasattr(node, "value") else []))
    if isinstance(node, list | tuple | set):
        return [p for item in node for p in pieces_in(item)]
    if isinstance(node, dict):
        return pieces_in(list(node.values()))
    return []


def test_the_run_on_dask_matches_pandas_for_its_period(tmp_path, scheduler):
    workdir = stored_sample(tmp_path)
    pandas_config = engine_config("pandas", scheduler, shared_costs="revenue")
    dask_config = dataclasses.replace(
        pandas_config, engine=dataclasses.replace(pandas_config.engine, kind="dask")
    )
    period = parse_period("2026-10")
    months = run_months(period, pandas_config.report)
    pandas = load_store(workdir, pandas_config)
    dask = load_store(workdir, dask_config, months)
    assert dask.fine.months == months and dask.fine.results["start_m"].min() >= months[0]
    for by in [(), ("channel",), ("employee", "month"), ("campaign", "category")]:
        expected = to_json(compute_metrics(pandas, pandas_config, by, period, compare=True))
        found = to_json(compute_metrics(dask, pandas_config, by, period, compare=True))
        assert_same_records(expected, found, by)
    with pytest.raises(RuntimeError):  # a period the engine did not read is never guessed
        compute_metrics(dask, pandas_config, ("channel",), "2025-10")
    # the reports' "Latest entry" comes from the sums too: the same day on both engines
    assert latest_entry(dask, period) == latest_entry(pandas, period) == date(2026, 10, 26)


def test_legacy_unpartitioned_stores_stay_readable(tmp_path):
    workdir = stored_sample(tmp_path)
    folder = workdir.store / ("a" * 64)
    store = Store(workdir.store)
    before = store.load(SAMPLE.name).frames["results"]
    before.to_parquet(folder / "results.parquet", index=False)  # the old layout
    import shutil

    shutil.rmtree(folder / "results")
    assert store.row_files("results", (0, 0)) == [folder / "results.parquet"]
    pd.testing.assert_frame_equal(store.load(SAMPLE.name).frames["results"], before)


def test_without_dask_installed_the_error_says_how_to_get_it(monkeypatch):
    import sys

    from roi_reports.engine.cluster import require_dask

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ConfigError, match=r"pip install 'roi-reports\[dask\]'"):
        require_dask()


def test_a_period_without_rows_names_the_months_the_engine_read():
    from roi_reports.aggregate import FineSums, fine_sums
    from roi_reports.ingest.dataset import Dataset
    from roi_reports.jobs.monthly import require_data

    empty = Dataset.empty()
    sums = fine_sums(empty.results, empty.costs)
    window = (month_index(2025, 11), month_index(2026, 10))
    dataset = dataclasses.replace(empty, sums=FineSums(sums.results, sums.costs, window))
    with pytest.raises(RoiReportsError, match=r"the store has no rows for 2025-11\.\.2026-10"):
        require_data(dataset, parse_period("2026-10"))


def test_exports_refuse_skip_invalid_rows_and_missing_files_are_usage_errors(tmp_path):
    frame = pd.DataFrame({"date": ["2026-10-01"], "channel": ["X"], "contacts": [1.0]})
    frame.assign(conversions=1.0, revenue=1.0).to_parquet(tmp_path / "results.parquet")
    skipped = run_cli("metrics", "--skip-invalid-rows", str(tmp_path / "results.parquet"))
    assert skipped.exit_code == 2 and "not on Parquet/CSV exports" in skipped.output
    missing = run_cli("metrics", str(tmp_path / "gone.parquet"))
    assert missing.exit_code == 2 and "gone.parquet: file not found" in missing.output


def test_ambiguous_slashed_dates_in_exports_do_not_depend_on_the_partitions(tmp_path):
    dates = ["10/31/2026", "10/05/2026"]  # a workbook column would read 10/05 month-first
    frame = pd.DataFrame({"date": dates, "channel": ["X"] * 2, "contacts": [1.0] * 2})
    path = tmp_path / "results.parquet"
    frame.assign(conversions=1.0, revenue=1.0).to_parquet(path, row_group_size=1)
    for size in (1, 1000):  # two pieces of one row each, then one piece
        config = dataclasses.replace(
            Config(), engine=dataclasses.replace(Config().engine, partition_size=size)
        )
        with pytest.raises(InputError) as caught:
            engine_dataset(export_sources([str(tmp_path / "results.parquet")], config), config)
        found = {(p.row, p.rule) for p in caught.value.report.errors}
        assert found == {(2, "not a date")}, size  # export rows count from 1


def test_teams_and_regions_are_the_same_on_both_engines(exports, scheduler, tmp_path):
    from roi_reports.bench.scale_data import EMPLOYEES

    # every third employee is left out of the sheet: their rows form "(no team)"
    rows = [["employee", "team", "region"]] + [
        [name, f"Team {index % 4}", "North" if index % 2 else "South"]
        for index, name in enumerate(EMPLOYEES)
        if index % 3
    ]
    people = tmp_path / "employees.csv"
    people.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    datasets = {}
    for kind in ("pandas", "dask"):
        config = engine_config(kind, scheduler)
        paths = [*expand(exports), str(people)]
        datasets[kind] = engine_dataset(export_sources(paths, config), config)
    assert len(datasets["dask"].employees) == len(rows) - 1
    for shared in ("none", "revenue"):
        config = engine_config("pandas", scheduler, shared_costs=shared)
        for by in [("team",), ("region", "channel"), ("team", "month"), ("employee", "team")]:
            kwargs = {"by": by, "period": "2026-Q1", "compare": True}
            expected = outcome(datasets["pandas"], config, **kwargs)
            assert not expected.startswith("error"), (shared, by, expected)
            assert_same_records(expected, outcome(datasets["dask"], config, **kwargs), by)
        teams = compute_metrics(datasets["dask"], config, by=("team",), period="2026-Q1")
        people = compute_metrics(datasets["dask"], config, by=("employee",), period="2026-Q1")
        total = compute_metrics(datasets["dask"], config, period="2026-Q1").iloc[0]
        assert "(no team)" in set(teams["team"].dropna())
        for column in ("cost", "revenue", "contacts"):
            # teams are their members (shared costs spread over employees, in cents)
            assert math.isclose(teams[column].sum(), people[column].sum(), rel_tol=1e-12)
            if shared == "none":  # nothing re-rounded: exactly the company's totals
                assert math.isclose(teams[column].sum(), total[column], rel_tol=1e-12)


def test_unknown_values_give_the_same_numbers_and_sources_on_dask(tmp_path, scheduler):
    """A lead-gen Google Ads export (no revenue) and CRM deals (no contacts) in the store."""
    workdir = stored_sample(tmp_path)
    store = Store(workdir.store)
    leadgen = Path(__file__).parent / "fixtures" / "exports" / "google_ads_leadgen.csv"
    store.put(read_file_tables(leadgen, Config()), "b" * 64, "archive/ads.csv", datetime.now())
    crm = read_file_tables(SAMPLE, Config())
    deals = crm.frames["results"].assign(
        contacts=float("nan"), channel="Google Ads", file="crm.xlsx"
    )
    deals = deals[deals["start"] >= pd.Timestamp("2026-10-01")].iloc[:10]
    crm = dataclasses.replace(crm, name="crm.xlsx", frames={"results": deals})
    store.put(crm, "c" * 64, "archive/crm.xlsx", datetime.now())
    config = engine_config("pandas", scheduler, shared_costs="revenue")
    dask_config = dataclasses.replace(
        config, engine=dataclasses.replace(config.engine, kind="dask")
    )
    period = parse_period("2026-10")
    months = run_months(period, config.report)
    pandas, dask = load_store(workdir, config), load_store(workdir, dask_config, months)
    assert len(dask.fine.gaps) and dask.results.empty
    for by in [(), ("channel",), ("campaign", "month"), ("employee", "channel")]:
        expected = compute_metrics(pandas, config, by, period, compare=True)
        found = compute_metrics(dask, config, by, period, compare=True)
        assert_same_records(to_json(expected), to_json(found), by)
    [total] = compute_metrics(dask, config, (), period).to_dict("records")
    assert (total["revenue_unknown_rows"], total["contacts_unknown_rows"]) == (12, 10)
    assert total["revenue_unknown_in"] == "google_ads_leadgen.csv"
    assert total["contacts_unknown_in"] == "crm.xlsx"


def test_one_currency_in_the_exports_reports_on_both_engines(tmp_path, scheduler):
    """No [report] currency and every row in NOK: NOK reports, said in a note, on either
    engine (as for spreadsheets, SPEC §2); configured, NOK needs its exchange rate."""
    frame = pd.DataFrame(
        {
            "date": ["2026-10-01", "2026-10-02"],
            "channel": ["LinkedIn", "Meta"],
            "contacts": [4.0, 6.0],
            "conversions": [1.0, 2.0],
            "revenue": [100.0, 250.0],
            "currency": ["NOK", "nok"],
        }
    )
    frame.to_parquet(tmp_path / "results.parquet")
    frame.to_csv(tmp_path / "more.csv", index=False)
    paths = [str(tmp_path / "results.parquet"), str(tmp_path / "more.csv")]
    for kind in ("pandas", "dask"):
        config = engine_config(kind, scheduler)
        dataset = engine_dataset(export_sources(paths, config), config)
        assert dataset.currency == "NOK", kind
        assert "reporting currency NOK: the only currency in the data" in " ".join(dataset.notes), (
            kind
        )
        [total] = compute_metrics(dataset, config, ()).to_dict("records")
        assert total["revenue"] == 700.0, kind  # unconverted: 2 × (100 + 250)
        configured = dataclasses.replace(config, currency_configured=True)
        with pytest.raises(InputError) as caught:
            engine_dataset(export_sources(paths, configured), configured)
        assert {p.rule for p in caught.value.report.errors} == {"no exchange rate"}, kind
