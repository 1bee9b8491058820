"""Makes a Python process subset fonts as on a machine without libharfbuzz-subset0.

Python imports `sitecustomize` at start-up from the first folder on its path that has
one, so a child process started with this folder on PYTHONPATH (and every process it
starts in turn: render pool workers, the forkserver, Dask workers) runs this first.
WeasyPrint looks HarfBuzz-subset up once, at import, by `cffi.FFI.dlopen` of a few names
(weasyprint/text/ffi.py, `harfbuzz_subset = _dlopen(..., allow_fail=True)`); when every
name fails it subsets each font with fontTools instead (weasyprint/pdf/fonts.py,
`Font.subset`). Failing those names here takes that path, with nothing else changed.
"""

from __future__ import annotations

from typing import Any

import cffi

_real_dlopen = cffi.FFI.dlopen


def _dlopen_without_harfbuzz_subset(self: cffi.FFI, name: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(name, str) and "harfbuzz-subset" in name:
        raise OSError(f"cannot load library {name!r}: hidden by tests/without_harfbuzz_subset")
    return _real_dlopen(self, name, *args, **kwargs)


cffi.FFI.dlopen = _dlopen_without_harfbuzz_subset  # type: ignore[method-assign]
