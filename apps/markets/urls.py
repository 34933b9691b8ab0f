from django.urls import path

from . import views

app_name = "markets"

urlpatterns = [
    path("", views.market_list, name="list"),
    path("new/", views.market_create, name="create"),
    path("bulk/", views.market_bulk, name="bulk"),
    path("<slug:slug>/", views.market_detail, name="detail"),
    path("<slug:slug>/edit/", views.market_edit, name="edit"),
    path("<slug:slug>/transitions/<str:name>/", views.market_transition, name="transition"),
]
