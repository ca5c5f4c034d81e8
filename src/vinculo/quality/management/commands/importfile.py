"""``vinculo import FILE --workspace W --user EMAIL --type people|companies|deals …``"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from vinculo.core.actor import Source
from vinculo.core.errors import ServiceError
from vinculo.core.tenancy import User
from vinculo.core.text import fold
from vinculo.quality.selectors import imports as selectors
from vinculo.quality.services import imports as svc
from vinculo.quality.services.import_messages import reason_line
from vinculo.workspaces.selectors import actor_for


def _problem(exc: ServiceError) -> str:
    return "; ".join(f"{e.field}: {e.message}" for e in exc.errors) or exc.detail


class Command(BaseCommand):
    # System checks load every URL and API module: seconds of start-up for nothing here.
    requires_system_checks: list[str] = []
    help = (
        "Import people, companies or deals from a CSV or XLSX file, with a progress bar. "
        "Exits 1 on bad arguments or a failed import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="CSV or XLSX file (not with --resume).")
        parser.add_argument("--workspace", required=True, metavar="SLUG_OR_ID")
        parser.add_argument("--user", required=True, metavar="EMAIL", help="Who imports.")
        parser.add_argument("--type", choices=["people", "companies", "deals"], default=None)
        parser.add_argument("--template", metavar="NAME", help="A saved mapping template.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help='Map a column to a field ("Coluna=" ignores it); repeatable.',
        )
        parser.add_argument("--dedupe", choices=["update", "skip", "create"])
        parser.add_argument("--sheet", default="", help="XLSX sheet (default: the first).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, write nothing."
        )
        parser.add_argument("--resume", type=int, metavar="JOB", help="Continue import JOB.")
        parser.add_argument("--rejected-csv", metavar="PATH", help="Write the rejected rows here.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        actor = actor_for(user, options["workspace"], source=Source.CLI) if user else None
        if user is None or actor is None:
            raise CommandError(
                f"{options['user']} is not an active member of workspace {options['workspace']}."
            )
        # Messages and the rejected-rows file in the importing person's language.
        translation.activate(user.language or actor.workspace.locale or settings.LANGUAGE_CODE)
        try:
            if options["resume"]:
                if options["file"]:
                    raise CommandError("Give either FILE or --resume JOB, not both.")
                job = svc.resume_import(actor=actor, job_id=options["resume"], enqueue=False)
            else:
                job = self._prepare(actor, options, svc, selectors)
                if options["dry_run"]:
                    self._dry_run(actor, job, svc)
                    return
                job = svc.start_import(actor=actor, job_id=job.pk, enqueue=False)
        except ServiceError as exc:
            raise CommandError(_problem(exc)) from None
        job = self._run(job, svc, progress=not options["no_progress"])
        self.stdout.write(
            f"Import {job.pk} {job.status}: {job.created_count} created, "
            f"{job.updated_count} updated, {job.skipped_count} skipped, "
            f"{job.rejected_count} rejected of {job.total_rows} rows."
        )
        if options["rejected_csv"]:
            with open(options["rejected_csv"], "wb") as out:
                out.writelines(svc.rejected_csv(job).chunks)
        if job.status != "done":
            raise CommandError(
                f"Import {job.pk} stopped: {job.error or job.status}. "
                f"Continue with --resume {job.pk}."
            )

    def _prepare(self, actor: Any, options: dict[str, Any], svc: Any, selectors: Any) -> Any:
        path = Path(options["file"] or "")
        if not options["file"] or not path.is_file():
            raise CommandError(f"No such file: {options['file'] or '(none given)'}")
        if not options["type"]:
            raise CommandError("Say what the file holds: --type people|companies|deals.")
        mapping: dict[str, str] = {}
        for pair in options["map"]:
            column, sep, field = pair.partition("=")
            if not sep:
                raise CommandError(f'--map needs COLUMN=FIELD, got "{pair}".')
            mapping[column.strip()] = field.strip()
        template_id = None
        if options["template"]:
            wanted = fold(options["template"])
            template = next(
                (t for t in selectors.templates(actor, options["type"]) if fold(t.name) == wanted),
                None,
            )
            if template is None:
                raise CommandError(f"No {options['type']} template named {options['template']!r}.")
            template_id = template.pk
        with open(path, "rb") as fh:
            job = svc.create_import(
                actor=actor,
                object_type=options["type"],
                file_name=path.name,
                content=fh,
                template_id=template_id,
                sheet=options["sheet"],
            )
        self.stdout.write(f"Import {job.pk}: {len(job.headers)} columns.")
        for header in job.headers:
            target = mapping.get(header, job.mapping.get(header, ""))
            self.stdout.write(f"  {header} → {target or '(ignored)'}")
        opts = {"dedupe": options["dedupe"]} if options["dedupe"] else None
        return svc.set_mapping(actor=actor, job_id=job.pk, mapping=mapping, options=opts)

    def _dry_run(self, actor: Any, job: Any, svc: Any) -> None:
        job = svc.dry_run_import(actor=actor, job_id=job.pk, limit=None)
        p = job.preview
        self.stdout.write(
            f"Dry run of {p['rows']} rows: would create {p['would_create']}, update "
            f"{p['would_update']}, skip {p['would_skip']}; {p['rejected']} rejected."
        )
        for error in job.row_errors.filter(dry_run=True)[:50]:
            reasons = "; ".join(reason_line(r) for r in error.reasons)
            self.stdout.write(f"  row {error.line}: {reasons}")

    def _run(self, job: Any, svc: Any, *, progress: bool) -> Any:
        if not progress:
            return svc.run_import(job.pk)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ) as bar:
            task = bar.add_task(job.file_name, total=None)

            def show(current: Any) -> None:
                bar.update(
                    task,
                    total=current.total_rows,
                    completed=current.next_row,
                    description=(
                        f"{job.file_name}: +{current.created_count} ~{current.updated_count} "
                        f"✗{current.rejected_count}"
                    ),
                )

            return svc.run_import(job.pk, on_progress=show)
