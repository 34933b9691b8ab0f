from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import saved_views, views
from .signin import SignInForm

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("palette/", views.palette, name="palette"),
    # Before Django's own auth URLs, which it shadows: the bounded sign-in form.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("views/", saved_views.save_view, name="save_view"),
    path("views/<int:view_id>/", saved_views.open_view, name="saved_view"),
    path("views/<int:view_id>/delete/", saved_views.delete_view, name="delete_view"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("markets/", include("apps.markets.urls")),
    path("activity/", include("apps.activity.urls")),
    path("products/", include("apps.catalog.urls")),
    path("", include("apps.orders.urls")),
    path("api-tokens/", include("apps.accounts.urls")),
    path("api/v1/", include("console.api_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "console.views.permission_denied"
handler404 = "console.views.page_not_found"
handler500 = "console.views.server_error"

if "debug_toolbar" in settings.INSTALLED_APPS:  # dev settings only
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
