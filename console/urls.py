from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("palette/", views.palette, name="palette"),
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
