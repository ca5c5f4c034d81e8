"""Screens of the strategy layer (under /strategy/)."""

app_name = "strategy"

urlpatterns: list = []

# Goals (strategy/goals/views.py).
from django.urls import path  # noqa: E402

from vinculo.strategy.goals import views as goal_views  # noqa: E402

urlpatterns += [
    path("goals/", goal_views.goal_list, name="goals"),
    path("goals/new/", goal_views.goal_create, name="goal_create"),
    path("goals/<int:goal_id>/", goal_views.goal_detail, name="goal"),
    path("goals/<int:goal_id>/edit/", goal_views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/measure/", goal_views.goal_measure, name="goal_measure"),
    path("goals/<int:goal_id>/delete/", goal_views.goal_delete, name="goal_delete"),
]
