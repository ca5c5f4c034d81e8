"""Integration screens (the hub, outbound webhooks) under ``/integrations/``."""

from vinculo.integrations.views import urlpatterns as screens

app_name = "integrations"

urlpatterns = [*screens]
