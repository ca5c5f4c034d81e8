"""Insights screens under ``/insights/``."""

from django.urls import path

from vinculo.insights import adoption_views, report_csv, report_screens, report_views, views
from vinculo.insights.dashboards import editing, settings_view
from vinculo.insights.dashboards import views as dashboards

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("kpis/<str:kpi_key>/", views.kpi_detail, name="kpi"),
    path("kpis/<str:kpi_key>/csv", views.kpi_csv, name="kpi_csv"),
    path("reports/adoption/", adoption_views.adoption_view, name="adoption_report"),
    path("reports/cohort-retention/", report_screens.cohort_retention, name="cohort_retention"),
    path("reports/activity-per-rep/", report_screens.activity_per_rep, name="activity_per_rep"),
    path("reports/<str:report_name>/", report_views.report, name="report"),
    path("reports/<str:report_name>/csv", report_csv.report_csv, name="report_csv"),
    path("adoption/", adoption_views.adoption_view, name="adoption"),
    path("settings/", settings_view.settings_view, name="settings"),
    path("dashboards/", dashboards.dashboard_list, name="dashboards"),
    path("dashboards/new", editing.create_dashboard, name="dashboard_create"),
    path("dashboards/<int:dashboard_id>/", dashboards.dashboard_detail, name="dashboard"),
    path("dashboards/<int:dashboard_id>/delete", editing.delete_dashboard,
         name="dashboard_delete"),
    path("dashboards/<int:dashboard_id>/widgets/add", editing.add_widget, name="widget_add"),
    path("dashboards/<int:dashboard_id>/widgets/<int:widget_id>/width", editing.resize_widget,
         name="widget_resize"),
    path("dashboards/<int:dashboard_id>/widgets/<int:widget_id>/move", editing.move_widget,
         name="widget_move"),
    path("dashboards/<int:dashboard_id>/widgets/<int:widget_id>/remove", editing.remove_widget,
         name="widget_remove"),
    path("dashboards/<int:dashboard_id>/widgets/<int:widget_id>/csv", dashboards.widget_csv,
         name="widget_csv"),
]  # fmt: skip
