from django.urls import path

from xietong.core import pickers

app_name = "core"
urlpatterns = [path("pickers/<slug:name>/", pickers.picker_options, name="picker")]
