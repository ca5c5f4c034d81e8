"""Screens of the strategy layer (under /strategy/)."""

app_name = "strategy"

urlpatterns: list = []

# The CRM plan (vinculo.strategy.plan.views).
from django.urls import path  # noqa: E402

from vinculo.strategy.plan import views as plan_views  # noqa: E402

urlpatterns += [
    path("", plan_views.plan_page, name="plan"),
    path("plan/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plan/versions/", plan_views.versions_page, name="plan_versions"),
    path("plan/calculator/", plan_views.calculator_fragment, name="plan_calculator"),
    path("plan/tactics/<int:tactic_id>/spend/", plan_views.tactic_spend, name="plan_spend"),
    path(
        "plan/tactics/<int:tactic_id>/spend/<int:tactic_spend_id>/delete/",
        plan_views.spend_delete,
        name="plan_spend_delete",
    ),
]
for _kind, _plural in (
    ("objective", "objectives"),
    ("strategy", "strategies"),
    ("tactic", "tactics"),
):
    urlpatterns += [
        path(
            f"plan/{_plural}/new/", plan_views.item_new, {"kind": _kind}, name=f"plan_{_kind}_new"
        ),
        path(
            f"plan/{_plural}/<int:{_kind}_id>/",
            plan_views.item_edit,
            {"kind": _kind},
            name=f"plan_{_kind}_edit",
        ),
        path(
            f"plan/{_plural}/<int:{_kind}_id>/move/",
            plan_views.item_move,
            {"kind": _kind},
            name=f"plan_{_kind}_move",
        ),
        path(
            f"plan/{_plural}/<int:{_kind}_id>/delete/",
            plan_views.item_delete,
            {"kind": _kind},
            name=f"plan_{_kind}_delete",
        ),
    ]
