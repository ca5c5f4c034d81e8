from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create (or refresh) the demo workspace and print its login."

    def handle(self, *args: Any, **options: Any) -> None:
        from vinculo.workspaces.demo import ensure_demo_workspace

        login = ensure_demo_workspace()
        self.stdout.write(f"Demo workspace ready. email: {login.email} password: {login.password}")
