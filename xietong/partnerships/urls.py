from django.urls import include, path

from xietong.partnerships import activity_urls, recommendation_views, views

app_name = "partnerships"
urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("export/", views.partnership_export, name="export"),
    path("new/", views.partnership_create, name="create"),
    path("<int:pk>/", views.partnership_detail, name="detail"),
    path("<int:pk>/edit/", views.partnership_edit, name="edit"),
    path("<int:pk>/activate/", views.partnership_activate, name="activate"),
    path("<int:pk>/end/", views.partnership_end, name="end"),
    path("<int:pk>/delete/", views.partnership_delete, name="delete"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/terms/new/", views.term_set, name="term_set"),
    path("<int:pk>/terms/<int:term_id>/delete/", views.term_delete, name="term_delete"),
    path("<int:pk>/dispatches/new/", views.dispatch_add, name="dispatch_add"),
    path(
        "<int:pk>/dispatches/<int:dispatch_id>/delete/",
        views.dispatch_delete,
        name="dispatch_delete",
    ),
    path("", include("xietong.partnerships.agreements.urls")),
]
urlpatterns += activity_urls.urlpatterns  # activities, the network and its gaps
urlpatterns += recommendation_views.urlpatterns  # partner recommendations
