from django.urls import path

from xietong.institutions import views

app_name = "institutions"
urlpatterns = [
    path("", views.institution_list, name="list"),
    path("export/", views.institution_export, name="export"),
    path("new/", views.institution_create, name="create"),
    path("<int:pk>/", views.institution_detail, name="detail"),
    path("<int:pk>/edit/", views.institution_edit, name="edit"),
    path("<int:pk>/delete/", views.institution_delete, name="delete"),
    path("<int:pk>/labs/", views.lab_add, name="lab_add"),
    path("<int:pk>/labs/<int:lab_pk>/remove/", views.lab_remove, name="lab_remove"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/export/", views.staff_export, name="staff_export"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/delete/", views.staff_delete, name="staff_delete"),
    path("staff/<int:pk>/reveal/", views.staff_reveal, name="staff_reveal"),
]
