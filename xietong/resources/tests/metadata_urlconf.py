"""The site's URLs with a stand-in for the catalogue's resource page (``resources:detail``,
served by the catalogue's own views): the metadata's ``url`` points at that page. Where
the site already mounts the page, the site's own comes first and is the one reversed."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from xietong.urls import urlpatterns as site


def _page(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(f"resource {pk}")


urlpatterns = [
    *site,
    path("resources/", include(([path("<int:pk>/", _page, name="detail")], "resources"))),
]
