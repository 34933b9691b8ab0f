"""A view that only adds a message, to test how messages reach htmx requests."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import path


def add_message(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Saved.")
    return HttpResponse("fragment")


urlpatterns = [path("probe/", add_message)]
