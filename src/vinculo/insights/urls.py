"""Insights screens under ``/insights/``."""

from django.urls import path

from vinculo.insights import report_views, views

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("kpis/<str:kpi_key>/", views.kpi_detail, name="kpi"),
    path("kpis/<str:kpi_key>/csv", views.kpi_csv, name="kpi_csv"),
    path("reports/<str:report_name>/", report_views.report, name="report"),
]
