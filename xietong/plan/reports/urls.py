from django.urls import path

from xietong.plan.reports import views

app_name = "plan_reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("export/", views.report_export, name="export"),
    path("new/", views.report_new, name="new"),
    path("rate/", views.rate, name="rate"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/return/", views.report_return, name="return"),
    path("<int:pk>/accept/", views.report_accept, name="accept"),
    path("<int:pk>/delete/", views.report_delete, name="delete"),
]
