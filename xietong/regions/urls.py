from django.urls import path

from xietong.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_browser, name="browser"),
    path("<str:code>/", views.region_browser, name="region"),
]
