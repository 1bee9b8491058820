"""The command line: --help everywhere, exit codes of SPEC §6, output formats."""

from __future__ import annotations

import csv
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from roi_reports import Config, compute_metrics, load_dataset
from roi_reports.cli import cli
from roi_reports.metrics import METRICS
from tests.helpers import cli_json, run_cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"


def test_every_command_has_help():
    assert run_cli("--help").exit_code == 0
    for name in cli.commands:
        result = run_cli(name, "--help")
        assert result.exit_code == 0
        assert "Usage: " in result.output and "--help" in result.output


def test_readme_lists_every_command_and_option():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"roi-reports {name}" in readme or f"`{name} " in readme, name
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--"):
                    assert option in readme, f"{name} {option} is not documented"


def test_config_help_says_which_file_is_read_without_it():
    checked = 0
    for name, command in cli.commands.items():
        opts = {o: p for p in command.params for o in getattr(p, "opts", [])}
        if "--config" not in opts:
            continue
        help_text = opts["--config"].help or ""
        # the folder commands read <dir>/roi-reports.toml, the others ./roi-reports.toml
        expected = "working folder's roi-reports.toml" if "--dir" in opts else "./roi-reports.toml"
        assert expected in help_text, name
        checked += 1
    assert checked >= 9


def test_top_level_help_lists_the_formats_read():
    output = run_cli("--help").output
    for suffix in (".xlsx", ".xlsm", ".xls", ".ods", ".csv"):
        assert re.search(rf"\{suffix}\b", output), suffix  # .xls alone, not inside .xlsx


def test_json_records_have_group_keys_and_every_metric():
    records = cli_json("metrics", "--by", "channel,month", str(SAMPLE))
    assert records, "no records"
    for record in records:
        assert set(METRICS) <= set(record)
        assert record["month"] is None or re.fullmatch(r"\d{4}-\d{2}", record["month"])
    keys = {(r["channel"], r["month"]) for r in records}
    assert ("LinkedIn", "2026-10") in keys
    assert any(channel is None for channel, _ in keys), "shared costs stay unassigned"


def test_json_matches_an_independent_calculation():
    """Sum the sample sheets with openpyxl alone and compare with the CLI's JSON."""
    from openpyxl import load_workbook

    workbook = load_workbook(SAMPLE, read_only=True)
    results = list(workbook["results"].iter_rows(min_row=2, values_only=True))
    costs = list(workbook["costs"].iter_rows(min_row=2, values_only=True))
    rates = {(c, m): r for c, m, r in workbook["fx_rates"].iter_rows(min_row=2, values_only=True)}
    revenue: dict[tuple[str, str], float] = {}
    cost: dict[tuple[str, str], float] = {}
    for day, channel, _campaign, _employee, _contacts, _conv, rev, _gp, _cur in results:
        key = (channel, f"{day:%Y-%m}")
        revenue[key] = revenue.get(key, 0.0) + rev
    for day, channel, _campaign, _employee, _category, amount, currency in costs:
        month = f"{day:%Y-%m}"
        rate = 1.0 if currency == "EUR" else rates[(currency, month)]
        cost[(channel, month)] = cost.get((channel, month), 0.0) + amount * rate
    records = cli_json("metrics", "--by", "channel,month", str(SAMPLE))
    for record in records:
        key = (record["channel"], record["month"])
        assert record["revenue"] == pytest.approx(revenue.get(key, 0.0), rel=1e-12)
        assert record["cost"] == pytest.approx(cost.get(key, 0.0), rel=1e-12)
        if cost.get(key):
            assert record["roas"] == pytest.approx(revenue.get(key, 0.0) / cost[key], rel=1e-12)


def test_quarter_and_year_keys():
    quarters = cli_json("metrics", "--by", "quarter", str(SAMPLE))
    assert [r["quarter"] for r in quarters] == ["2026-Q3", "2026-Q4"]
    years = cli_json("metrics", "--by", "year", str(SAMPLE))
    assert [r["year"] for r in years] == ["2026"]


def test_compare_adds_previous_period_columns():
    [record] = cli_json("metrics", "--period", "2026-10", "--compare", str(SAMPLE))
    table = compute_metrics(load_dataset([SAMPLE], Config()), period="2026-09")
    assert record["revenue_prev"] == pytest.approx(table["revenue"].iloc[0])
    assert record["revenue_change"] == pytest.approx(record["revenue"] - record["revenue_prev"])
    assert record["revenue_change_pct"] == pytest.approx(
        record["revenue_change"] / record["revenue_prev"] * 100
    )


def test_targets_give_attainment():
    records = cli_json("metrics", "--by", "channel", "--period", "2026-10", str(SAMPLE))
    linkedin = next(r for r in records if r["channel"] == "LinkedIn")
    assert linkedin["target_attainment_pct"] == pytest.approx(linkedin["revenue"] / 8500 * 100)


def test_csv_output_has_header_and_empty_nulls():
    result = run_cli(
        "metrics", "--by", "channel", "--format", "csv", "--fields", "cost,cpa", str(SAMPLE)
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["channel", "cost", "cpa"]
    unassigned = next(r for r in rows if r["channel"] == "")
    assert float(unassigned["cost"]) > 0
    assert unassigned["cpa"] == ""  # shared costs have no conversions: cost / 0 is null


def test_table_output_shows_unassigned_and_dash():
    result = run_cli("metrics", "--by", "channel", str(SAMPLE))
    assert result.exit_code == 0
    assert "(unassigned)" in result.stdout
    assert "–" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["metrics", "--by", "country", str(SAMPLE)], "unknown dimension 'country'"),
        (["metrics", "--period", "October", str(SAMPLE)], "unknown period 'October'"),
        (["metrics", "--compare", str(SAMPLE)], "needs a --period"),
        (["metrics", "--fields", "profit", str(SAMPLE)], "unknown field 'profit'"),
        (["metrics"], "Missing argument"),
    ],
)
def test_usage_errors_exit_2(args, message):
    result = run_cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_config_exits_2(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[report]\nshared_costs = 'all'\n")
    result = run_cli("metrics", "--config", str(config), str(SAMPLE))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "shared_costs" in result.stderr


def test_config_in_current_folder_is_used(tmp_path):
    (tmp_path / "roi-reports.toml").write_text('[report]\ninvestment_categories = ["booth"]\n')
    [record] = cli_json("metrics", "--period", "2026-10", str(SAMPLE))
    assert record["investment"] == pytest.approx(2400.0)


def test_readme_examples_run(tmp_path, monkeypatch):
    """Every `roi-reports …` line in the README's shell blocks runs successfully.

    They run in an empty folder, in order, as a new user would type them; a command
    documented as running until stopped is checked with --help instead.
    """
    monkeypatch.chdir(tmp_path)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    assert sum(line.startswith("roi-reports ") for line in lines) >= 4
    for line in lines:
        command, _, comment = line.partition("#")
        if not command.startswith("roi-reports "):
            continue
        args = [a.replace("sample_data/", f"{REPO}/sample_data/") for a in shlex.split(command)[1:]]
        if "until Ctrl-C" in comment:
            args = [args[0], "--help"]
        result = run_cli(*args)
        assert result.exit_code == 0, f"{command}: {result.output}"


def test_console_script_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "roi_reports.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "roi-reports" in result.stdout


def test_sample_workbook_matches_its_generator(tmp_path):
    from openpyxl import load_workbook

    from roi_reports.sample import write_sample

    fresh = write_sample(tmp_path / "fresh.xlsx")
    committed, regenerated = load_workbook(SAMPLE), load_workbook(fresh)
    assert committed.sheetnames == regenerated.sheetnames
    for name in committed.sheetnames:
        assert list(committed[name].values) == list(regenerated[name].values), name


def test_pdf_and_excel_refuse_an_empty_period_or_unknown_scope(tmp_path):
    nobody = run_cli(
        "pdf", "--scope", "employee:Nobody", "--period", "2026-10", "-o", str(tmp_path), str(SAMPLE)
    )
    assert nobody.exit_code == 2 and "no data for employee:Nobody in 2026-10" in nobody.output
    assert "Aino Virtanen" in nobody.output
    empty = run_cli("excel", "--period", "2027-01", "-o", str(tmp_path / "x.xlsx"), str(SAMPLE))
    assert empty.exit_code == 1 and "no results or costs for period 2027-01" in empty.output
    assert list(tmp_path.iterdir()) == []
