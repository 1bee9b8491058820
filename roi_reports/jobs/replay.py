"""A rerun on unchanged inputs replays what the last finished run worked out.

When the outputs are reused (jobs/output_cache.py: nothing they are made from changed),
so is everything else a run derives from those same inputs: who gets which report, the
figures each email quotes, the run summary's totals and warnings. A finished run records
them in its manifest; a rerun under the same cache key reads them back instead of loading
the store and computing the period's metrics again (seconds on a million rows). Whatever
the manifest lacks makes the rerun compute afresh — the figures for someone whose message
could not be built (their attachments over the size limit, say), or facts edited by hand
since (the manifest seals them with a hash): a replay never guesses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from roi_reports.config import Config
from roi_reports.errors import ConfigError
from roi_reports.jobs.output_cache import CACHE_KEY, Reusable
from roi_reports.jobs.outputs import RenderedOutputs
from roi_reports.jobs.recipients import Recipients, recipients_from_json
from roi_reports.reports.headline import HEADLINE_METRICS, Figure, total_figures
from roi_reports.reports.model import ReportModel

OVERVIEW = "overview"  # the manifest field of the run summary's figures
REPLAYED = ("recipients", "headlines", OVERVIEW, "warnings")  # manifest fields
SEAL = "replay_sha256"  # the manifest field that seals them (`seal`)


@dataclass(frozen=True)
class Overview:
    """What the run summary says of the period: its title, the team's totals, warnings."""

    title: str
    totals: dict[str, Figure]  # metric name → the team-wide figure, in the report language
    warnings: tuple[str, ...]  # one line each, as the Data quality sheet lists them

    @classmethod
    def of(cls, model: ReportModel, language: str) -> Overview:
        # the metrics alone (a scope's model would add the cost it leaves out)
        figures = total_figures(model.total.iloc[0], model.currency, language, HEADLINE_METRICS)
        totals = dict(zip(HEADLINE_METRICS, figures, strict=True))
        return cls(model.title, totals, tuple(p.one_line() for p in model.warnings))

    def to_json(self) -> dict[str, Any]:
        """The manifest's `overview` (its warnings are the manifest's `warnings`)."""
        return {"title": self.title, "totals": {k: asdict(v) for k, v in self.totals.items()}}

    @classmethod
    def from_json(cls, recorded: Mapping[str, Any], warnings: list[str]) -> Overview:
        totals = {name: Figure(**figure) for name, figure in recorded["totals"].items()}
        if not set(HEADLINE_METRICS) <= totals.keys():
            raise KeyError(f"totals lack {set(HEADLINE_METRICS) - totals.keys()}")
        return cls(str(recorded["title"]), totals, tuple(str(w) for w in warnings))


class RecordedHeadlines:
    """(scope label, language) → the figures the last run's email to that scope quoted;
    `given` collects those used again, as `Headlines.given` does."""

    def __init__(self, recorded: Mapping[str, Mapping[str, str]]) -> None:
        self._recorded = {key: dict(figures.items()) for key, figures in recorded.items()}
        self.given: dict[str, dict[str, str]] = {}

    def __contains__(self, scope_and_language: tuple[str, str]) -> bool:
        return "|".join(scope_and_language) in self._recorded

    def __call__(self, scope_label: str, language: str) -> dict[str, str]:
        key = f"{scope_label}|{language}"
        self.given[key] = self._recorded[key]
        return self.given[key]


@dataclass(frozen=True)
class RecordedRun:
    """The last finished run's outputs and facts, valid for this run's inputs."""

    outputs: RenderedOutputs
    overview: Overview
    recipients: Recipients
    headlines: RecordedHeadlines


def seal(content: Mapping[str, Any]) -> str:
    """sha256 over the facts a rerun replays and the key they were worked out under: a
    manifest whose facts were edited since its run wrote them is not replayed."""
    facts = {name: content.get(name) for name in (*REPLAYED, CACHE_KEY)}
    text = json.dumps(facts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded_run(found: Reusable, config: Config) -> RecordedRun | None:
    """What a manifest recorded under this run's key, when it has all a run needs: its
    outputs checked by the run that wrote them, nothing withheld, its facts as that run
    sealed them, and the figures of every recipient's email."""
    content, outputs = found
    if not outputs.checked or content.get(SEAL) != seal(content):
        return None  # killed before its checks; edited; or written before replays existed
    try:
        overview = Overview.from_json(content[OVERVIEW], content["warnings"])
        recipients = recipients_from_json(config, content["recipients"])
        headlines = RecordedHeadlines(content["headlines"])
    except (KeyError, TypeError, ValueError, AttributeError, ConfigError):
        return None  # not the shape this version writes: compute afresh
    language = config.report.language
    if any((p.scope, p.language or language) not in headlines for p in recipients.people):
        return None  # someone's message was not built last time: no figures to repeat
    return RecordedRun(outputs, overview, recipients, headlines)
