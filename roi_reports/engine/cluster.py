"""A Dask client: the configured scheduler, or a local cluster of processes.

Dask is imported here only, when the Dask engine is asked for, so pandas users neither
need it installed nor pay for importing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from roi_reports.config import EngineConfig
from roi_reports.errors import ConfigError

if TYPE_CHECKING:
    from distributed import Client

INSTALL_HINT = "pip install 'roi-reports[dask]'"


def require_dask() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"the Dask engine needs Dask ({exc.name} is not installed): {INSTALL_HINT}"
        ) from None


@contextmanager
def dask_client(engine: EngineConfig) -> Iterator[Client]:
    """A client for the run; a local cluster (one process per core) lives as long as it."""
    require_dask()
    from distributed import Client, LocalCluster

    if engine.scheduler is None:
        with (
            LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(engine.scheduler, timeout=f"{engine.connect_timeout_s}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {engine.scheduler} within "
            f"{engine.connect_timeout_s:g} s ({type(exc).__name__}); start one with "
            "`dask scheduler` or fix [engine] scheduler"
        ) from None
    with client:
        yield client
