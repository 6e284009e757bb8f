from django.urls import path

from xietong.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_read, name="read"),
    path("badge/", views.notifications_badge, name="badge"),
    path("<int:pk>/open/", views.notification_open, name="open"),
]
