"""Screens of lead scoring (under Settings)."""

from django.urls import path

from vinculo.scoring import views

app_name = "scoring"

urlpatterns: list = [
    path("settings/scoring/", views.rules_page, name="rules"),
    path("settings/scoring/rules/<int:scoring_rule_id>/", views.rule_edit, name="rule_edit"),
    path(
        "settings/scoring/rules/<int:scoring_rule_id>/delete/",
        views.rule_delete,
        name="rule_delete",
    ),
    path("settings/scoring/model/", views.model_page, name="model"),
    path("settings/scoring/train/", views.train_now, name="train"),
    path("settings/scoring/recompute/", views.recompute_now, name="recompute"),
]
