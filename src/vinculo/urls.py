from django.contrib import admin
from django.urls import include, path

from vinculo.integrations.api import api
from vinculo.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("vinculo.contacts.urls")),
    path("", include("vinculo.activities.urls")),
    path("", include("vinculo.sales.urls")),
    path("quality/", include("vinculo.quality.urls")),
    path("", include("vinculo.events.urls")),
    path("", include("vinculo.webforms.urls")),
    path("", include("vinculo.integrations.urls")),
    path("", include("vinculo.privacy.urls")),
    path("", include("vinculo.web.urls")),
]
