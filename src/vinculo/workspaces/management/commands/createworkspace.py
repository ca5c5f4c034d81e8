from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vinculo.core.errors import ServiceError
from vinculo.workspaces.services import create_workspace


class Command(BaseCommand):
    help = "Create a workspace and its owner; prints a one-time password for a new owner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--owner", required=True, metavar="EMAIL")
        parser.add_argument("--password", help="Set this password instead of generating one.")
        parser.add_argument("--owner-name", default="")
        parser.add_argument("--slug")
        parser.add_argument("--currency", default="BRL")
        parser.add_argument("--locale", default="pt-br")
        parser.add_argument("--timezone", default="America/Sao_Paulo")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            new = create_workspace(
                name=options["name"],
                owner_email=options["owner"],
                owner_password=options["password"],
                owner_name=options["owner_name"],
                slug=options["slug"],
                default_currency=options["currency"],
                locale=options["locale"],
                timezone=options["timezone"],
            )
        except ServiceError as exc:
            details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors) or exc.detail
            raise CommandError(details) from None
        ws = new.workspace
        self.stdout.write(self.style.SUCCESS(f"Workspace {ws.name!r} created (slug {ws.slug})."))
        self.stdout.write(f"Owner: {new.owner.email}")
        if new.one_time_password:
            self.stdout.write(f"One-time password (shown once): {new.one_time_password}")
            self.stdout.write(
                "It must be changed at first sign-in and stops working after "
                f"{settings.ONE_TIME_PASSWORD_DAYS} days."
            )
