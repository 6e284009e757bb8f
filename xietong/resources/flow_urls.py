"""The flows of use at /resources/flows/ (namespace ``resource_flows``)."""

from django.urls import path

from xietong.resources import flow_views

app_name = "resource_flows"

urlpatterns = [
    path("", flow_views.flows_page, name="flows"),
    path("provider/", flow_views.my_provider_page, name="my_provider"),
    path("providers/<int:pk>/", flow_views.provider_page, name="provider"),
]
