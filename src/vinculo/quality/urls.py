"""Data-quality screens under ``/quality/``; each tool's view module lists its own URLs."""

from vinculo.quality.views import audit, duplicates, exports, hub, imports, rules

app_name = "quality"

urlpatterns = [
    *hub.urlpatterns,
    *imports.urlpatterns,
    *exports.urlpatterns,
    *duplicates.urlpatterns,
    *audit.urlpatterns,
    *rules.urlpatterns,
]
