"""Insights screens under ``/insights/``."""

from django.urls import path

from vinculo.insights import report_csv, report_screens, report_views, views

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("kpis/<str:kpi_key>/", views.kpi_detail, name="kpi"),
    path("kpis/<str:kpi_key>/csv", views.kpi_csv, name="kpi_csv"),
    path("reports/cohort-retention/", report_screens.cohort_retention, name="cohort_retention"),
    path("reports/activity-per-rep/", report_screens.activity_per_rep, name="activity_per_rep"),
    path("reports/<str:report_name>/", report_views.report, name="report"),
    path("reports/<str:report_name>/csv", report_csv.report_csv, name="report_csv"),
]
