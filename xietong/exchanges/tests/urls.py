"""Only the JSON API, so the exchanges API tests do not depend on other apps' HTML views."""

from django.urls import path

from xietong.api import api

urlpatterns = [path("api/", api.urls)]
