"""The `roi-reports` command: the command line, after starting the workers' forkserver
for the commands that use worker processes.

The forkserver imports the readers and the report modules in a process of its own (about
a second), and importing the command line takes about as long. Started first, the two
overlap, so the monthly job's first file is read about a second sooner. This module and
`workers` import nothing heavy (the package's names load when first used).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

# commands that read files or render PDFs in worker processes
WORKER_COMMANDS = frozenset({"run", "watch", "report"})


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] and arguments[0] in WORKER_COMMANDS:
        from roi_reports.workers import start_forkserver

        start_forkserver()
    from roi_reports.cli import main as cli_main

    cli_main(arguments)


if __name__ == "__main__":
    main()
