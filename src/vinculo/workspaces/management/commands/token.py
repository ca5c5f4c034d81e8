from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vinculo.core.actor import Source
from vinculo.core.errors import ServiceError
from vinculo.core.tenancy import User
from vinculo.workspaces import selectors, services


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("--workspace", required=True, help="Workspace slug or id.")
        create.add_argument("--user", required=True, metavar="EMAIL")
        create.add_argument("--name", default="CLI token")
        listing = sub.add_parser("list")
        listing.add_argument("--workspace", required=True)
        listing.add_argument("--user", required=True, metavar="EMAIL")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--workspace", required=True)
        revoke.add_argument("--user", required=True, metavar="EMAIL")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["user"].strip().lower()).first()
        if user is None:
            raise CommandError(f"no user with email {options['user']!r}")
        actor = selectors.actor_for(user, options["workspace"], source=Source.CLI)
        if actor is None:
            raise CommandError(
                f"{user.email} is not a member of workspace {options['workspace']!r}"
            )
        try:
            if options["action"] == "create":
                new = services.create_api_token(actor=actor, name=options["name"])
                self.stdout.write(new.plaintext)
                self.stderr.write(f"token #{new.token.pk} created; it is shown only this once")
            elif options["action"] == "list":
                for t in selectors.api_tokens(actor):
                    state = "revoked" if t.revoked_at else "active"
                    used = t.last_used_at.isoformat() if t.last_used_at else "never"
                    self.stdout.write(
                        f"{t.pk}\t{t.prefix}\t{t.name}\t{t.user.email}\t{state}\t{used}"
                    )
            else:
                services.revoke_api_token(actor=actor, token_id=options["token_id"])
                self.stdout.write(f"token #{options['token_id']} revoked")
        except ServiceError as exc:
            raise CommandError(exc.detail) from None
