from django.urls import path

from vinculo.activities import views

app_name = "activities"

urlpatterns = [
    path("activities/log/", views.log, name="log"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:task_id>/reopen/", views.task_reopen, name="task_reopen"),
]
