"""Reuse a period's finished outputs when nothing they depend on has changed.

Rendering 100 PDFs takes minutes; rerunning the job on unchanged inputs (a retry after a
failed email, a cron job that fires twice) should not. The key covers everything the
workbook and PDFs are made from: the stored inputs' content hashes, the whole config,
the template files, the logo, the tool version and its code, and the period. Any change
renders afresh. The code counts besides the version: an install upgraded to code that
computes or words a figure differently, under the same version number, must not reuse
(and replay the figures of) the reports the old code made.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, NamedTuple

from roi_reports import __version__
from roi_reports.config import Config
from roi_reports.errors import RoiReportsError
from roi_reports.fsutil import sha256_file
from roi_reports.jobs.manifest import MANIFEST_NAME, OutputFile
from roi_reports.jobs.outputs import PDF_FOLDER, RenderedOutputs
from roi_reports.reports.pdf_render import template_dirs, templates_digest
from roi_reports.resources import code_digest
from roi_reports.scopes import Scope

CACHE_KEY = "cache_key"  # the manifest field that records the key of its outputs


def templates_sha256(config: Config) -> str:
    """One hash over every file of the template folders the reports are rendered from."""
    return templates_digest(template_dirs(config))


def output_cache_key(input_hashes: list[tuple[str, str]], config: Config, period: str) -> str:
    """sha256 over everything the outputs are made from; (name, sha256) per stored input."""
    logo = config.report.logo
    base = config.source.parent if config.source else Path.cwd()
    logo_path = (base / logo) if logo else None
    parts = {
        "version": __version__,
        "code": code_digest(),
        "period": period,
        "inputs": sorted(input_hashes),
        "config": repr(config),
        "templates": templates_sha256(config),
        "logo": sha256_file(logo_path) if logo_path and logo_path.is_file() else None,
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Reusable(NamedTuple):
    """A finished or killed run's manifest under this run's key, and its intact outputs."""

    manifest: dict[str, Any]
    outputs: RenderedOutputs


def reusable(out_dir: Path, key: str) -> Reusable | None:
    """The outputs recorded in `out_dir/manifest.json` under `key`, if all still intact."""
    content = _manifest_of_key(out_dir, key)
    if content is None:
        return None
    outputs = _reusable_outputs(out_dir, content)
    return None if outputs is None else Reusable(content, outputs)


def _manifest_of_key(out_dir: Path, key: str) -> dict[str, Any] | None:
    """The content of `out_dir/manifest.json` if its outputs were made under `key` and it
    withheld none of them."""
    manifest = out_dir / MANIFEST_NAME
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or content.get(CACHE_KEY) != key or content.get("withheld"):
        return None  # changed inputs, or a run whose failed reports must be tried again
    return content


def _reusable_outputs(out_dir: Path, content: dict[str, Any]) -> RenderedOutputs | None:
    """The outputs a manifest lists, if every one is still as it was written."""
    try:
        files = [OutputFile(**entry) for entry in content["outputs"]]
    except (KeyError, TypeError):
        return None
    # a file edited or deleted by hand since is not trusted: render again
    if not all(file.intact(out_dir) for file in files):
        return None
    # only a finished run's manifest says what it withheld (nothing, or it is not reused):
    # its checks passed on these very bytes; a run killed before its checks left none
    return _rendered(out_dir, files, checked="withheld" in content)


def _rendered(out_dir: Path, files: list[OutputFile], checked: bool) -> RenderedOutputs | None:
    workbooks = [out_dir / f.path for f in files if f.kind == "xlsx"]
    if len(workbooks) != 1:
        return None
    try:
        pdfs = {
            Scope.parse(f.scope): out_dir / f.path
            for f in files
            if f.kind == "pdf" and not f.language  # translated copies live in pdf/<lang>/
        }
    except RoiReportsError:
        return None
    if any(path.parent.name != PDF_FOLDER for path in pdfs.values()):
        return None
    return RenderedOutputs(out_dir, workbooks[0], pdfs, files, reused=True, checked=checked)
