"""The ``vinculo`` command: one entry point over Vínculo's management commands.

vinculo serve [--host H] [--port P] [--demo]   migrate and serve (web + in-process worker)
vinculo worker [--burst]                         run tasks and deliver domain events
vinculo migrate                                  apply database migrations
vinculo createworkspace NAME --owner EMAIL       create a workspace and its owner
vinculo token create --workspace W --user EMAIL  print a new API token once
vinculo check                                    health: database, task queue, migrations
vinculo demo                                     create the demo workspace
vinculo kpi [KEY] --workspace SLUG [--from D --to D --grain G --group-by DIM --json]
                                                 list the KPIs, or measure one
vinculo rollup [--workspace SLUG] [--check]      rebuild (or check) the purchase roll-up
vinculo import FILE --workspace W --user EMAIL --type people|companies|deals [--map "Col=field"]
               [--template NAME] [--dedupe update|skip|create] [--dry-run] [--resume JOB]
vinculo manage COMMAND …                         any Django management command
"""

from __future__ import annotations

import os
import sys

# Importing Django's command runner reads no settings: DJANGO_SETTINGS_MODULE is set in main().
from django.core.management import execute_from_command_line

from vinculo import __version__

ALIASES = {"check": "healthcheck", "import": "importfile"}
COMMANDS = [
    "serve",
    "worker",
    "migrate",
    "createworkspace",
    "token",
    "check",
    "demo",
    "kpi",
    "rollup",
    "import",
    "manage",
]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    if argv[0] in {"--version", "version"}:
        print(f"vinculo {__version__}")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    command, rest = argv[0], argv[1:]
    if command == "manage":
        execute_from_command_line(["vinculo", *rest])
        return
    if command not in COMMANDS:
        print(f"vinculo: unknown command {command!r}\n{__doc__}", file=sys.stderr)
        raise SystemExit(2)
    execute_from_command_line(["vinculo", ALIASES.get(command, command), *rest])


if __name__ == "__main__":
    main()
