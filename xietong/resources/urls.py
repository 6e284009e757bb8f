from django.urls import path

from xietong.resources import views

app_name = "resources"

urlpatterns = [
    path("", views.catalogue, name="list"),
    path("export/", views.catalogue_export, name="export"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviewers/", views.reviewers, name="reviewers"),
    path("reviewers/<int:pk>/end/", views.reviewer_end, name="reviewer_end"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/open/", views.open_link, name="open"),
    path("<int:pk>/files/<int:attachment_id>/", views.open_file, name="file"),
    path("<int:pk>/use/", views.record_use, name="use"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
