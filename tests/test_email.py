"""Email delivery against a real SMTP server on 127.0.0.1 (aiosmtpd, in-process)."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from roi_reports.config import parse_config
from roi_reports.delivery.deliver import any_failed, deliver, slug, summary_lines
from roi_reports.delivery.ledger import Ledger, Outgoing
from roi_reports.errors import ConfigError
from tests.email_setup import (
    HEADLINE,
    NOW,
    PERIOD,
    STAKEHOLDERS,
    make_config,
    make_reports,
    run,
)
from tests.smtp_server import (
    PASSWORD,
    USERNAME,
    Authenticator,
    RecordingHandler,
    attachment_names,
    free_port,
    make_certificates,
    plain_body,
    recipients,
    smtp_server,
    starttls_login,
)


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, list[Path]]:
    return make_reports(tmp_path)


def test_each_stakeholder_gets_their_scope_once(tmp_path, reports):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        results = run(make_config(server.port), reports, tmp_path)
    assert [r.status for r in results] == ["sent", "sent", "sent"]
    assert [r.attempts for r in results] == [1, 1, 1]
    by_recipient = {m.rcpt_tos[0]: m.message for m in handler.messages}
    assert sorted(by_recipient) == ["aino@example.com", "leena@example.com", "mikko@example.com"]
    assert attachment_names(by_recipient["leena@example.com"]) == [
        "roi-executive-2026-10.pdf",
        "roi-summary-2026-10.xlsx",
    ]
    assert attachment_names(by_recipient["aino@example.com"]) == [
        "roi-employee-aino-virtanen-2026-10.pdf"
    ]
    leena = by_recipient["leena@example.com"]
    parts = {p.get_filename(): p for p in leena.iter_attachments()}
    workbook = parts["roi-summary-2026-10.xlsx"]
    assert workbook.get_content_type().endswith("spreadsheetml.sheet")
    assert workbook.get_content() == reports["xlsx"][0].read_bytes()
    assert parts["roi-executive-2026-10.pdf"].get_content_type() == "application/pdf"
    assert leena["Subject"] == "Marketing ROI — 2026-10"
    assert leena["From"] == "reports@example.com"
    assert "Leena Johtaja" in leena["To"]
    assert "ROI: 110.0%" in plain_body(leena)
    mikko = by_recipient["mikko@example.com"]
    assert "Hei Mikko Mäkinen" in plain_body(mikko)
    assert "kanava LinkedIn" in plain_body(mikko)
    assert {r.message_id for r in results} == {m.message["Message-ID"] for m in handler.messages}


def test_rerun_sends_nothing_and_force_sends_again(tmp_path, reports):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        config = make_config(server.port)
        run(config, reports, tmp_path)
        again = run(config, reports, tmp_path)
        assert len(handler.messages) == 3
        assert {r.status for r in again} == {"already-sent"}
        assert all("--force" in (r.note or "") for r in again)
        forced = run(config, reports, tmp_path, force=True)
    assert [r.status for r in forced] == ["sent"] * 3
    assert len(handler.messages) == 6
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        entries = ledger.entries(PERIOD)
    assert [(e.status, e.forced) for e in entries] == [("sent", False)] * 3 + [("sent", True)] * 3
    aino = next(e for e in entries if e.email == "aino@example.com")
    assert aino.attachments[0][0] == "roi-employee-aino-virtanen-2026-10.pdf"
    assert len(aino.attachments[0][1]) == 64  # the file's sha256


def test_temporary_failure_is_retried_and_delivered_once(tmp_path, reports):
    handler = RecordingHandler(answers=["451 4.3.0 Try again later"])
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=STAKEHOLDERS[1:2])
        results = run(config, reports, tmp_path)
    assert results[0].status == "sent"
    assert results[0].attempts == 2
    assert handler.data_commands == 2
    assert recipients(handler) == ["aino@example.com"]


def test_permanent_failure_is_reported_without_retry(tmp_path, reports):
    handler = RecordingHandler(answers=["550 5.7.1 Mailbox unavailable"])
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=STAKEHOLDERS[1:2])
        results = run(config, reports, tmp_path)
        assert results[0].status == "failed"
        assert results[0].attempts == 1
        assert handler.data_commands == 1
        assert "550 5.7.1 Mailbox unavailable" in (results[0].error or "")
        assert any_failed(results)
        assert "failed" in summary_lines(results)[0]
        # A failed delivery is not "sent": the next run tries again.
        retried = run(config, reports, tmp_path)
    assert retried[0].status == "sent"
    assert recipients(handler) == ["aino@example.com"]


def test_temporary_failures_give_up_after_the_configured_retries(tmp_path, reports):
    handler = RecordingHandler(answers=["451 4.3.0 Local problem"] * 5)
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=STAKEHOLDERS[1:2], retries=2)
        results = run(config, reports, tmp_path)
    assert results[0].status == "failed"
    assert results[0].attempts == 3
    assert handler.data_commands == 3
    assert "temporary failure" in (results[0].error or "")


def test_no_server_is_a_failed_delivery_not_a_crash(tmp_path, reports):
    config = make_config(free_port(), stakeholders=STAKEHOLDERS[1:2], retries=1)
    results = run(config, reports, tmp_path)
    assert results[0].status == "failed"
    assert results[0].attempts == 2
    assert "cannot connect" in (results[0].error or "")


def test_unknown_scope_fails_for_that_stakeholder_only(tmp_path, reports):
    stakeholders = [
        *STAKEHOLDERS[1:2],
        {"name": "Ghost", "email": "g@example.com", "scope": "employee:Nobody"},
    ]
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        results = run(make_config(server.port, stakeholders=stakeholders), reports, tmp_path)
    assert [r.status for r in results] == ["sent", "failed"]
    assert "no report for scope 'employee:Nobody'" in (results[1].error or "")
    assert "spelled as in the data" in (results[1].error or "")
    assert recipients(handler) == ["aino@example.com"]


def test_attachments_over_the_limit_are_refused(tmp_path, reports):
    reports["all"][0].write_bytes(b"%PDF" + b"0" * 300_000)
    config = make_config(free_port(), stakeholders=STAKEHOLDERS[:1], max_attachment_mb=0.25)
    results = run(config, reports, tmp_path, send=False)
    assert results[0].status == "failed"
    assert "over [email] max_attachment_mb = 0.25" in (results[0].error or "")


def test_over_the_message_budget_only_the_own_report_goes_and_the_body_says_so(tmp_path, reports):
    reports["xlsx"][0].write_bytes(b"PK" + b"0" * 300_000)  # a big workbook
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=STAKEHOLDERS[:1], max_message_mb=0.2)
        (result,) = run(config, reports, tmp_path)
    assert result.status == "sent" and "left out" in (result.note or "")
    (received,) = handler.messages
    assert attachment_names(received.message) == [reports["all"][0].name]
    body = plain_body(received.message)
    assert "Left out to keep this message under 0.2 MB" in body
    assert reports["xlsx"][0].name in body and f"out/{PERIOD}/" in body


@pytest.mark.parametrize(("language", "budget"), [("fi", "0,2 MB"), ("fa", "۰.۲ MB")])
def test_the_left_out_note_writes_sizes_as_the_readers_language_does(
    tmp_path, reports, language, budget
):
    reports["xlsx"][0].write_bytes(b"PK" + b"0" * 300_000)
    person = {**STAKEHOLDERS[0], "language": language}
    config = make_config(free_port(), stakeholders=[person], max_message_mb=0.2)
    result = run(config, reports, tmp_path, send=False)[0]
    body = plain_body(
        message_from_bytes(Path(result.eml_path or "").read_bytes(), policy=policy.default)
    )
    assert budget in body and "0.2 MB" not in body


def test_crash_between_sending_and_recording_does_not_resend(tmp_path, reports):
    """A run that died after the intent was recorded: the next run must not send again."""
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=STAKEHOLDERS[1:2])
        with Ledger(tmp_path / "ledger.sqlite") as ledger:
            earlier = Outgoing(
                PERIOD,
                "Aino Virtanen",
                "aino@example.com",
                "employee:Aino Virtanen",
                (),
                "<earlier@example.com>",
            )
            ledger.record_intent(earlier, NOW)
        results = run(config, reports, tmp_path)
        assert results[0].status == "possibly-sent"
        assert "may have arrived" in (results[0].note or "")
        assert "--force" in (results[0].note or "")
        assert handler.messages == []
        forced = run(config, reports, tmp_path, force=True)
    assert forced[0].status == "sent"
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        assert [e.status for e in ledger.entries()] == ["unconfirmed", "sent"]


def test_dry_run_writes_eml_files_identical_to_what_is_sent(tmp_path, reports):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        config = make_config(server.port)
        written = run(config, reports, tmp_path, send=False)
        assert handler.messages == []
        assert not (tmp_path / "ledger.sqlite").exists(), "a dry run records nothing"
        run(config, reports, tmp_path)
    assert [r.status for r in written] == ["written"] * 3
    sent = {m.rcpt_tos[0]: m.data for m in handler.messages}
    for result in written:
        eml = Path(result.eml_path or "")
        assert eml.parent == tmp_path / "outbox" / PERIOD
        data = eml.read_bytes()
        assert data == sent[result.email]
        parsed = message_from_bytes(data, policy=policy.default)
        assert parsed["Message-ID"] == result.message_id
        assert sorted(p.get_filename() for p in parsed.iter_attachments()) == sorted(
            result.attachments
        )
    assert sorted(p.name for p in (tmp_path / "outbox" / PERIOD).iterdir()) == [
        "aino-example-com-employee-aino-virtanen.eml",
        "leena-example-com-all.eml",
        "mikko-example-com-channel-linkedin.eml",
    ]


@pytest.mark.parametrize("password", [PASSWORD, "ascii-only-password"])
def test_starttls_with_auth_login(tmp_path, reports, monkeypatch, password):
    certs = make_certificates(tmp_path)
    handler, authenticator = RecordingHandler(), Authenticator(password)
    monkeypatch.setenv("ROI_SMTP_PASSWORD", password)
    options = starttls_login(certs, authenticator)
    with smtp_server(handler, **options) as server:
        config = make_config(
            server.port,
            security="starttls",
            username=USERNAME,
            password_env="ROI_SMTP_PASSWORD",
            ca_file=str(certs.ca_file),
        )
        results = run(config, reports, tmp_path)
    assert [r.status for r in results] == ["sent"] * 3
    assert set(authenticator.mechanisms) == {"LOGIN"}
    assert len(handler.messages) == 3


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_with_auth_plain(tmp_path, reports, monkeypatch):
    certs = make_certificates(tmp_path)
    handler, authenticator = RecordingHandler(), Authenticator()
    monkeypatch.setenv("ROI_SMTP_PASSWORD", PASSWORD)
    options = {
        "ssl_context": certs.server_context,
        # aiosmtpd only counts STARTTLS as TLS; this connection is TLS from the start.
        "auth_require_tls": False,
        "authenticator": authenticator,
        "auth_required": True,
        "auth_exclude_mechanism": ["LOGIN"],
    }
    with smtp_server(handler, **options) as server:
        config = make_config(
            server.port,
            stakeholders=STAKEHOLDERS[1:2],
            security="ssl",
            username=USERNAME,
            password_env="ROI_SMTP_PASSWORD",
            ca_file=str(certs.ca_file),
        )
        results = run(config, reports, tmp_path)
    assert results[0].status == "sent"
    assert authenticator.mechanisms == ["PLAIN"]


def test_wrong_password_fails_without_retry_and_without_leaking_it(tmp_path, reports, monkeypatch):
    certs = make_certificates(tmp_path)
    handler, authenticator = RecordingHandler(), Authenticator()
    wrong = "wrong-" + PASSWORD
    monkeypatch.setenv("ROI_SMTP_PASSWORD", wrong)
    options = {"tls_context": certs.server_context, "authenticator": authenticator}
    with smtp_server(handler, **options) as server:
        config = make_config(
            server.port,
            stakeholders=STAKEHOLDERS[1:2],
            security="starttls",
            username=USERNAME,
            password_env="ROI_SMTP_PASSWORD",
            ca_file=str(certs.ca_file),
        )
        results = run(config, reports, tmp_path)
    assert results[0].status == "failed"
    assert results[0].attempts == 1
    assert "login refused (535" in (results[0].error or "")
    assert wrong not in repr(results) and wrong not in str(results[0].to_json())
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        assert all(wrong not in (e.error or "") for e in ledger.entries())


def test_untrusted_certificate_is_a_permanent_failure(tmp_path, reports):
    certs = make_certificates(tmp_path)
    handler = RecordingHandler()
    with smtp_server(handler, tls_context=certs.server_context) as server:
        config = make_config(server.port, stakeholders=STAKEHOLDERS[1:2], security="starttls")
        results = run(config, reports, tmp_path)
    assert results[0].status == "failed"
    assert results[0].attempts == 1
    assert "TLS failed" in (results[0].error or "")
    assert handler.messages == []


def test_missing_password_variable_names_it(tmp_path, reports, monkeypatch):
    monkeypatch.delenv("ROI_TEST_UNSET_PASSWORD", raising=False)
    config = make_config(free_port(), username=USERNAME, password_env="ROI_TEST_UNSET_PASSWORD")
    with pytest.raises(ConfigError, match="environment variable ROI_TEST_UNSET_PASSWORD"):
        run(config, reports, tmp_path)


def test_persian_stakeholder_gets_a_right_to_left_body(tmp_path, reports):
    person = {**STAKEHOLDERS[1], "language": "fa"}
    config = make_config(free_port(), stakeholders=[person])
    result = run(config, reports, tmp_path, send=False)[0]
    parsed = message_from_bytes(Path(result.eml_path or "").read_bytes(), policy=policy.default)
    html = parsed.get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert 'dir="rtl"' in content and 'lang="fa"' in content
    assert "سلام Aino Virtanen" in content


def test_html_body_escapes_names_and_values(tmp_path, reports):
    person = {**STAKEHOLDERS[1], "name": "Aino <script>alert(1)</script>"}
    config = make_config(free_port(), stakeholders=[person])
    result = deliver(
        config,
        PERIOD,
        {"<b>ROI</b>": "1 & 2"},
        reports,
        tmp_path / "l.sqlite",
        tmp_path / "outbox",
        send=False,
        now=NOW,
    )[0]
    parsed = message_from_bytes(Path(result.eml_path or "").read_bytes(), policy=policy.default)
    html = parsed.get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert "<script>" not in content and "&lt;script&gt;" in content
    assert "&lt;b&gt;ROI&lt;/b&gt;" in content and "1 &amp; 2" in content


def test_slug_keeps_file_names_safe_and_distinct():
    assert slug("employee:Päivi Korhonen") == "employee-paivi-korhonen"
    persian = [slug("employee:علی رضایی"), slug("employee:مریم احمدی")]
    assert persian[0] != persian[1]
    assert all(s.startswith("employee-") for s in persian)
    assert slug("../../etc/passwd") == "etc-passwd"


def test_unreadable_ca_file_stops_the_run_before_sending(tmp_path, reports):
    config = make_config(
        free_port(),
        stakeholders=STAKEHOLDERS[1:2],
        security="starttls",
        ca_file=str(tmp_path / "missing-ca.pem"),
    )
    with pytest.raises(ConfigError, match=r"ca_file = .*missing-ca\.pem"):
        run(config, reports, tmp_path)
    assert not (tmp_path / "ledger.sqlite").exists()


def test_headline_uses_the_engine_numbers_and_the_report_formatting():
    from roi_reports.pipeline import load_dataset, resolve_period
    from roi_reports.reports.formatting import format_metric
    from roi_reports.reports.headline import headline_from_model
    from roi_reports.reports.model import build_report_model
    from roi_reports.resources import sample_files

    config = parse_config({})
    dataset = load_dataset(sample_files(), config)
    period = resolve_period("2026-10", config.report)
    assert period is not None
    model = build_report_model(dataset, config, period)
    headline = headline_from_model(model, "fi")
    roi, revenue = "Sijoitetun pääoman tuotto %", "Liikevaihto"
    others = ["Kulut", "Nettotuotto", "ROAS (mainoskulujen tuotto)", "Konversiot"]
    assert list(headline) == [roi, revenue, *others]
    assert headline[roi] == format_metric("roi_pct", model.kpi("roi_pct"), "EUR", "fi")
    assert headline[revenue] == format_metric("revenue", model.kpi("revenue"), "EUR", "fi")
    assert headline[revenue].endswith("€")


@pytest.mark.pdf
def test_real_pdf_reports_are_attached_to_the_right_people(tmp_path):
    """End to end: the PDF renderer's files, keyed by scope label, delivered as .eml."""
    from roi_reports.pipeline import load_dataset, resolve_period
    from roi_reports.reports.model import Scope
    from roi_reports.reports.pdf import render_reports
    from roi_reports.resources import sample_files

    config = make_config(free_port(), stakeholders=STAKEHOLDERS[:2])
    dataset = load_dataset(sample_files(), config)
    period = resolve_period(PERIOD, config.report)
    assert period is not None
    scopes = [Scope(), Scope.parse("employee:Aino Virtanen")]
    written = render_reports(dataset, config, period, scopes, tmp_path / "pdf", workers=1)
    files = {scope.label: [path] for scope, path in written.items()}
    results = deliver(
        config,
        PERIOD,
        HEADLINE,
        files,
        tmp_path / "l.sqlite",
        tmp_path / "outbox",
        send=False,
        now=NOW,
    )
    assert [r.status for r in results] == ["failed", "written"]  # no workbook for Leena
    assert "formats includes xlsx" in (results[0].error or "")
    aino = message_from_bytes(Path(results[1].eml_path or "").read_bytes(), policy=policy.default)
    (pdf,) = list(aino.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == written[scopes[1]].read_bytes()


def test_a_rerun_skips_who_got_theirs_without_building_their_message(tmp_path, reports):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=STAKEHOLDERS[1:2])
        (first,) = run(config, reports, tmp_path)
        reports["employee:Aino Virtanen"][0].unlink()  # nothing to attach any more
        (again,) = run(config, reports, tmp_path)
    assert again.status == "already-sent", again.error
    assert again.attachments == first.attachments  # as the ledger recorded them
    assert again.message_id == first.message_id
    assert len(handler.messages) == 1
