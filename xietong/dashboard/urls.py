from django.urls import path

from xietong.dashboard import report_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("records/", views.records_page, name="records"),
    path("map/boundary.geojson", views.boundary, name="boundary"),
    path("reports/", report_views.reports_page, name="reports"),
]
