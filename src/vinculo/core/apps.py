import logging
import os

from django.apps import AppConfig
from django.db.backends.signals import connection_created

from vinculo.core import outbound
from vinculo.core.collation import register_sqlite_function

logger = logging.getLogger(__name__)


class CoreConfig(AppConfig):
    name = "vinculo.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from vinculo.core import events

        events.autodiscover_consumers()
        connection_created.connect(register_sqlite_function, dispatch_uid="vinculo_sort_key")
        outbound.allowed_rules()  # a bad VINCULO_OUTBOUND_ALLOWED_NETWORKS entry stops start-up
        if os.environ.get("VINCULO_WEBHOOKS_ALLOW_PRIVATE"):
            logger.warning(
                "VINCULO_WEBHOOKS_ALLOW_PRIVATE is no longer read: list the internal receivers "
                "in VINCULO_OUTBOUND_ALLOWED_NETWORKS (docs/security.md)"
            )
