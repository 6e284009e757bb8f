"""The metadata downloads of a resource (mounted under /resources/, namespace
``resource_metadata``, beside the catalogue's own pages)."""

from django.urls import path

from xietong.resources import metadata_views as mv

app_name = "resource_metadata"

urlpatterns = [
    path("<int:pk>/metadata/jsonld/", mv.jsonld_download, name="jsonld"),
    path("<int:pk>/metadata/oai_dc/", mv.oai_dc_download, name="oai_dc"),
]
