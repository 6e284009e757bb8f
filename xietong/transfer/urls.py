from django.urls import path

from xietong.transfer import views

app_name = "transfer"
urlpatterns = [
    path("", views.imports, name="imports"),
    path("templates/<slug:roster>.xlsx", views.template, name="template"),
    path("<int:pk>/", views.import_detail, name="import"),
    path("<int:pk>/apply/", views.import_apply, name="apply"),
    path("<int:pk>/errors.xlsx", views.error_report, name="error_report"),
]
