import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _no_config_in_cwd(tmp_path, monkeypatch):
    """CLI tests run in an empty folder, so no stray roi-reports.toml is picked up."""
    monkeypatch.chdir(tmp_path)


# The programs the tests talk to; `make test` installs them (.ci/sysdeps test). A missing
# one fails the run instead of skipping its tests, so no run passes without testing them.
REQUIRED_PROGRAMS = ("soffice", "pdftotext", "pdftoppm", "pdffonts", "fc-match")


def pytest_sessionstart(session):
    missing = [name for name in REQUIRED_PROGRAMS if shutil.which(name) is None]
    if missing:
        raise pytest.UsageError(
            f"missing {', '.join(missing)}: run `.ci/sysdeps test` (as `make test` does)"
        )
