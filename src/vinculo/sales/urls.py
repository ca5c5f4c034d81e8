from django.urls import path

from vinculo.sales import views

app_name = "sales"

urlpatterns = [
    path("deals/", views.board, name="board"),
    path("deals/list/", views.deal_list, name="list"),
    path("deals/export.csv", views.deal_export, name="export"),
    path("deals/new/", views.deal_create, name="create"),
    path("deals/<int:deal_id>/", views.deal_detail, name="deal"),
    path("deals/<int:deal_id>/edit/", views.deal_update, name="update"),
    path("deals/<int:deal_id>/move/", views.deal_move, name="move"),
    path("deals/<int:deal_id>/line-items/", views.deal_line_items, name="line_items"),
]
