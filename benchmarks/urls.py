"""The console's URLs, with ``/admin/`` served by the bench's admin site (``benchmarks.admin``)."""

from django.urls import path

from console.urls import urlpatterns as console_urlpatterns

from .admin import site

urlpatterns = [
    *(p for p in console_urlpatterns if str(getattr(p, "pattern", "")) != "admin/"),
    path("admin/", site.urls),
]
handler403 = "console.views.permission_denied"
handler404 = "console.views.page_not_found"
handler500 = "console.views.server_error"
