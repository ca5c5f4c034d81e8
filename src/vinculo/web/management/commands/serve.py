from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from waitress import serve

from vinculo.core.worker import EmbeddedWorker
from vinculo.demo.workspace import ensure_demo_workspace
from vinculo.wsgi import application


class Command(BaseCommand):
    help = "Migrate, then serve Vínculo (web + in-process task worker in embedded mode)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo", action="store_true", help="Create/refresh a demo workspace.")
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run tasks in this process (run `vinculo worker` separately).",
        )
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        login_hint = None
        if options["demo"]:
            login_hint = ensure_demo_workspace()
        worker = None
        if settings.TASKS_MODE == "db" and not options["no_worker"]:
            worker = EmbeddedWorker()
            worker.start()
        host, port = options["host"], options["port"]
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        url = f"http://{shown_host}:{port}/login/"
        self.stdout.write(self.style.SUCCESS(f"Vínculo is running. Log in at {url}"))
        if login_hint:
            self.stdout.write(f"  email:    {login_hint.email}\n  password: {login_hint.password}")
        self.stdout.write(
            f"  database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
            f" · tasks: {settings.TASKS_MODE}{' (in-process worker)' if worker else ''}"
            f" · data dir: {settings.DATA_DIR}"
        )
        self.stdout.write("  API docs: " + url.replace("/login/", "/api/v1/docs"))
        self.stdout.flush()
        try:
            serve(application, host=host, port=port, threads=options["threads"], ident="vinculo")
        finally:
            if worker:
                worker.stop()
