import os

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
