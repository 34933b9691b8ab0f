from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.api_tokens, name="api_tokens"),
    path("new/", views.api_token_create, name="api_token_create"),
    path("<str:token_key>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
