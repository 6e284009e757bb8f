from django.urls import path

from xietong.core import pickers, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("pickers/<slug:name>/", pickers.picker_options, name="picker"),
]
