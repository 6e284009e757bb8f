"""The pages of activities, the network and its gaps (included in partnerships' URLs)."""

from django.urls import path

from xietong.partnerships import activity_views as av
from xietong.partnerships import network_views as nv

urlpatterns = [
    path("activities/", av.activity_list, name="activities"),
    path("activities/export/", av.activity_export, name="activity_export"),
    path("<int:pk>/activities/new/", av.activity_log, name="activity_log"),
    path("activities/<int:pk>/", av.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", av.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", av.activity_delete, name="activity_delete"),
    path(
        "activities/institution/<int:pk>/",
        av.institution_timeline,
        name="institution_activities",
    ),
    path("network/", nv.network_page, name="network"),
    path("network/gaps/", nv.gaps_page, name="gaps"),
]
