from django.urls import path

from xietong.plan.indicators import views

app_name = "plan_indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("<slug:key>/", views.indicator_detail, name="detail"),
    path("<slug:key>/values/", views.report, name="report"),
    path("<slug:key>/values/<int:pk>/submit/", views.submit, name="submit"),
    path("<slug:key>/values/<int:pk>/review/", views.review, name="review"),
]
