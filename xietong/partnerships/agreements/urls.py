"""Pages of agreements (included in ``partnerships.urls``; names ``partnerships:agreement_…``)."""

from django.urls import path

from xietong.partnerships.agreements import views

urlpatterns = [
    path("<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/inbox/", views.inbox, name="agreement_inbox"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("agreements/<int:pk>/compare/", views.agreement_compare, name="agreement_compare"),
    path("agreements/versions/<int:pk>/approve/", views.version_approve, name="version_approve"),
]
