from django.urls import path

from . import views

app_name = "activity"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("actors.json", views.actor_choices, name="actors"),
    path("failed-work/", views.failed_work, name="failed_work"),
    path(
        "failed-work/<int:pk>/<slug:action>/", views.failed_work_action, name="failed_work_action"
    ),
]
