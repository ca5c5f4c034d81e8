"""Screens of the strategy layer (under /strategy/)."""

from django.urls import path

from vinculo.strategy import gap_views, glossary_views, touchpoint_views
from vinculo.strategy.goals import views as goal_views
from vinculo.strategy.plan import views as plan_views
from vinculo.strategy.reviews import views as review_views
from vinculo.strategy.starters import views as starter_views

app_name = "strategy"

urlpatterns: list = [
    path("plan/start/", starter_views.start_from_draft, name="plan_start"),
    path("reviews/", review_views.review_list, name="reviews"),
    path("reviews/<int:review_id>/", review_views.review_page, name="review"),
    path("reviews/<int:review_id>/edit/", review_views.review_update, name="review_update"),
    path("reviews/<int:review_id>/freeze/", review_views.review_freeze, name="review_freeze"),
    path("reviews/<int:review_id>/hold/", review_views.review_hold, name="review_hold"),
    path("reviews/<int:review_id>/decisions/", review_views.decision_add, name="decision_add"),
    path(
        "reviews/<int:review_id>/decisions/<int:decision_id>/delete/",
        review_views.decision_delete,
        name="decision_delete",
    ),
    path(
        "reviews/<int:review_id>/document.<str:fmt>",
        review_views.review_document,
        name="review_document",
    ),
]

# Customer-experience gaps, the touchpoint map and the glossary (docs/experience.md,
# docs/glossary.md).
urlpatterns += [
    path("gaps/", gap_views.gap_list, name="gaps"),
    path("gaps/new/", gap_views.gap_new, name="gap_new"),
    path("gaps/<int:gap_id>/", gap_views.gap_detail, name="gap"),
    path("gaps/<int:gap_id>/edit/", gap_views.gap_edit, name="gap_edit"),
    path("gaps/<int:gap_id>/delete/", gap_views.gap_delete, name="gap_delete"),
    path("touchpoints/", touchpoint_views.touchpoint_map, name="touchpoints"),
    path("touchpoints/<int:touchpoint_id>/", touchpoint_views.touchpoint_edit,
         name="touchpoint_edit"),
    path("touchpoints/<int:touchpoint_id>/delete/", touchpoint_views.touchpoint_delete,
         name="touchpoint_delete"),
    path("glossary/", glossary_views.glossary_page, name="glossary"),
    path("glossary/<int:glossary_term_id>/", glossary_views.glossary_edit, name="glossary_edit"),
    path("glossary/<int:glossary_term_id>/delete/", glossary_views.glossary_delete,
         name="glossary_delete"),
]  # fmt: skip
# The CRM plan (vinculo.strategy.plan.views).
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
# Goals (strategy/goals/views.py).
urlpatterns += [
    path("goals/", goal_views.goal_list, name="goals"),
    path("goals/new/", goal_views.goal_create, name="goal_create"),
    path("goals/<int:goal_id>/", goal_views.goal_detail, name="goal"),
    path("goals/<int:goal_id>/edit/", goal_views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/measure/", goal_views.goal_measure, name="goal_measure"),
    path("goals/<int:goal_id>/delete/", goal_views.goal_delete, name="goal_delete"),
]
