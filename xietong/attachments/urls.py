from django.urls import path

from xietong.attachments import views

app_name = "attachments"
urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("upload/<str:owner_type>/<int:owner_id>/", views.upload, name="upload"),
]
