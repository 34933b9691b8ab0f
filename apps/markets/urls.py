from django.urls import path

from apps.core.web.actions import bulk_view, transition_view

from . import views

app_name = "markets"

urlpatterns = [
    path("", views.market_list, name="list"),
    path("new/", views.market_create, name="create"),
    path("bulk/", bulk_view, {"bulk": views.BULK}, name="bulk"),
    # Not a slug (no "."), so no market's page is shadowed.
    path("choices.json", views.market_choices, name="choices"),
    path("<slug:slug>/", views.market_detail, name="detail"),
    path("<slug:slug>/edit/", views.market_edit, name="edit"),
    path(
        "<slug:slug>/transitions/<str:name>/",
        transition_view,
        {"actions": views.TRANSITIONS},
        name="transition",
    ),
]
