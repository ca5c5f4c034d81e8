"""Screens of the strategy layer (under /strategy/)."""

from django.urls import path

from vinculo.strategy.reviews import views as review_views

app_name = "strategy"

urlpatterns: list = [
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
