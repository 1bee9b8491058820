"""The send plan: who would get what, computed without reading, writing or sending."""

from __future__ import annotations

import json

from roi_reports.jobs.plan import PLAN_METRICS
from roi_reports.metrics import METRICS
from tests.helpers import run_cli, write_csv
from tests.smtp_server import RecordingHandler, smtp_server
from tests.test_run import PERIOD, files_under, make_workdir, stakeholder_config

GHOST = (
    '\n[[stakeholders]]\nname = "Ghost"\nemail = "ghost@example.com"\nscope = "employee:Nobody"\n'
)


def plan_json(workdir, *extra: str) -> dict:
    result = run_cli(
        "plan", "--dir", str(workdir.root), "--period", PERIOD, "--format", "json", *extra
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_plan_before_the_first_run_changes_nothing(tmp_path):
    workdir = make_workdir(tmp_path)
    stakeholder_config(workdir)
    with workdir.config.open("a", encoding="utf-8") as handle:
        handle.write(GHOST)
    before = files_under(workdir.root)
    plan = plan_json(workdir)
    assert files_under(workdir.root) == before  # nothing ingested, rendered or written
    assert plan["waiting_in_inbox"] == ["roi-sample.xlsx"] and plan["send"] is False
    by_email = {d["email"]: d for d in plan["deliveries"]}
    leena = by_email["leena.laine@example.com"]
    assert [f["name"] for f in leena["files"]] == [
        "executive-summary.pdf",
        f"roi-summary-{PERIOD}.xlsx",
    ]
    assert all(f["bytes"] is None for f in leena["files"]) and leena["status"] == "to send"
    assert [h["metric"] for h in leena["headline"]] == [METRICS[m].label for m in PLAN_METRICS]
    assert by_email["ghost@example.com"]["status"] == "no report"
    table = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--plan")
    assert "to send      Aino Virtanen" in table.output and "not rendered yet" in table.output


def test_plan_after_sending_shows_what_was_sent_with_sizes(tmp_path):
    workdir = make_workdir(tmp_path)
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        sent = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
        assert sent.exit_code == 0, sent.output
    plan = plan_json(workdir, "--send")
    assert {d["status"] for d in plan["deliveries"]} == {"already sent"}
    pdf = workdir.out / PERIOD / "pdf" / "channel-linkedin.pdf"
    sara = next(d for d in plan["deliveries"] if d["scope"] == "channel:LinkedIn")
    assert sara["files"] == [{"name": pdf.name, "bytes": pdf.stat().st_size}]
    assert len(handler.messages) == 3  # the plan sent nothing


def test_resend_sends_the_same_files_to_one_person(tmp_path):
    workdir = make_workdir(tmp_path)
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        assert (
            run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send").exit_code == 0
        )
        first = next(r for r in handler.messages if r.rcpt_tos == ["sara.ahmadi@example.com"])
        args = ("resend", "--dir", str(workdir.root), "--period", PERIOD)
        result = run_cli(*args, "--to", "Sara.Ahmadi@example.com")
        assert result.exit_code == 0, result.output
        assert "sent to Sara Ahmadi" in result.output
        assert len(handler.messages) == 4  # exactly one more message
        again = handler.messages[-1]
        assert again.rcpt_tos == ["sara.ahmadi@example.com"]
        original, resent = (list(m.message.iter_attachments()) for m in (first, again))
        assert [a.get_content() for a in resent] == [a.get_content() for a in original]

        unknown = run_cli(*args, "--to", "nobody@example.com")
        assert unknown.exit_code == 2 and "not a stakeholder" in unknown.output
        (workdir.out / PERIOD / "pdf" / "channel-linkedin.pdf").write_bytes(b"%PDF-changed")
        changed = run_cli(*args, "--to", "sara.ahmadi@example.com")
        assert changed.exit_code == 1 and "changed since the run" in changed.output
    assert len(handler.messages) == 4


def test_resend_after_a_rerun_repeats_the_key_figures(tmp_path):
    """A rerun sends nothing to who got theirs, yet its manifest is what `resend` reads:
    the figures of their first message must be in it."""
    workdir = make_workdir(tmp_path)
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        run = ("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
        assert run_cli(*run).exit_code == 0
        assert run_cli(*run).exit_code == 0  # everybody already sent
        assert len(handler.messages) == 3
        args = ("resend", "--dir", str(workdir.root), "--period", PERIOD)
        assert run_cli(*args, "--to", "sara.ahmadi@example.com").exit_code == 0
        first, again = (
            m.message.get_body(("plain",)).get_content()
            for m in handler.messages
            if m.rcpt_tos == ["sara.ahmadi@example.com"]
        )
    figures = [
        line for line in first.splitlines() if ":" in line and any(c.isdigit() for c in line)
    ]
    assert figures and all(line in again for line in figures)


def test_required_approval_holds_every_email_until_approve(tmp_path):
    workdir = make_workdir(tmp_path)
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        text = workdir.config.read_text(encoding="utf-8")
        workdir.config.write_text(
            text.replace("[email]\n", "[email]\nrequire_approval = true\n"), encoding="utf-8"
        )
        run = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
        assert run.exit_code == 0, run.output
        assert "3 held for approval" in run.output and handler.messages == []
        assert {d["status"] for d in plan_json(workdir, "--send")["deliveries"]} == {"held"}
        args = ("approve", "--dir", str(workdir.root), "--period", PERIOD)
        approved = run_cli(*args)
        assert approved.exit_code == 0, approved.output
        assert sorted(r.rcpt_tos[0] for r in handler.messages) == [
            "aino.virtanen@example.com",
            "leena.laine@example.com",
            "sara.ahmadi@example.com",
        ]
        assert run_cli(*args).exit_code == 0  # approving again sends nothing twice
        assert (
            run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send").exit_code == 0
        )
    assert len(handler.messages) == 3


def test_plan_names_a_translated_pdf_as_the_run_writes_it(tmp_path):
    """Two channels whose file names collide (Café, Cafe): the run numbers the main folder
    (`channel-cafe-2.pdf`) and each language's folder among its own reports; the plan
    names the file the email will carry."""
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    for name in list(workdir.inbox.iterdir()):
        name.unlink()
    write_csv(
        workdir.inbox / "results.csv",
        [
            ["date", "channel", "employee", "contacts", "conversions", "revenue"],
            ["2026-10-03", "Café", "Aino", 100, 10, 1000],
            ["2026-10-04", "Cafe", "Mikko", 100, 12, 1500],
        ],
    )
    write_csv(
        workdir.inbox / "costs.csv",
        [["date", "channel", "amount"], ["2026-10-03", "Café", 300], ["2026-10-04", "Cafe", 400]],
    )
    with workdir.config.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[email]\nsender = "r@example.com"\n'
            '[[stakeholders]]\nname = "A"\nemail = "a@example.com"\nscope = "channel:Café"\n'
            'language = "fi"\n'
            '[[stakeholders]]\nname = "B"\nemail = "b@example.com"\nscope = "channel:Cafe"\n'
        )
    run = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--no-send")
    assert run.exit_code == 0, run.output
    written = {
        (o["scope"], o.get("language")): o["path"]
        for o in json.loads((workdir.out / PERIOD / "manifest.json").read_text())["outputs"]
    }
    plan = {d["scope"]: d["files"] for d in plan_json(workdir)["deliveries"]}
    for scope, language in (("channel:Café", "fi"), ("channel:Cafe", None)):
        path = workdir.out / PERIOD / written[(scope, language)]
        assert plan[scope] == [{"name": path.name, "bytes": path.stat().st_size}], scope


def test_plan_says_what_a_scopes_cost_leaves_out_on_a_line_of_its_own(tmp_path):
    """Unshared (shared_costs = "none"), LinkedIn's cost counts only the rows naming a
    channel: €2,106.91 of October's cost names none (tests/test_unknown.py sums it)."""
    workdir = make_workdir(tmp_path)
    text = workdir.config.read_text(encoding="utf-8")
    workdir.config.write_text(
        text.replace('shared_costs = "revenue"', 'shared_costs = "none"'), encoding="utf-8"
    )
    stakeholder_config(workdir)
    by_scope = {d["scope"]: d for d in plan_json(workdir)["deliveries"]}
    note = {"metric": "Costs left out", "value": "€2,106.91, in rows naming no channel"}
    assert by_scope["channel:LinkedIn"]["headline"][-1] == {**note, "change": None}
    assert all(h["metric"] != note["metric"] for h in by_scope["all"]["headline"])
    table = run_cli("plan", "--dir", str(workdir.root), "--period", PERIOD).output
    assert f"\n      Costs left out: {note['value']}\n" in table
