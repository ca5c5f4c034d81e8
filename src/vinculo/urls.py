from django.contrib import admin
from django.urls import include, path, re_path

from vinculo.api import api, api_not_found
from vinculo.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),  # a problem document, not the HTML page, for API clients
    path("admin/", admin.site.urls),
    path("", include("vinculo.contacts.urls")),
    path("", include("vinculo.activities.urls")),
    path("", include("vinculo.sales.urls")),
    path("quality/", include("vinculo.quality.urls")),
    path("", include("vinculo.events.urls")),
    path("", include("vinculo.webforms.urls")),
    path("", include("vinculo.integrations.urls")),
    path("insights/", include("vinculo.insights.urls")),
    path("", include("vinculo.privacy.urls")),
    path("", include("vinculo.scoring.urls")),
    path("strategy/", include("vinculo.strategy.urls")),
    path("", include("vinculo.web.urls")),
]
