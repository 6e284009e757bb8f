from django.urls import path

from xietong.exchanges import views

app_name = "exchanges"
urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("export/", views.program_export, name="program_export"),
    path("new/", views.program_create, name="program_create"),
    path("<int:pk>/", views.program_detail, name="program_detail"),
    path("<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("<int:pk>/status/", views.program_status, name="program_status"),
    path("<int:pk>/repeat/", views.program_repeat, name="program_repeat"),
    path("<int:pk>/offers/new/", views.offer_create, name="offer_create"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/runs/", views.program_runs, name="program_runs"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/delete/", views.offer_delete, name="offer_delete"),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path("applications/<int:pk>/confirm/", views.application_confirm, name="application_confirm"),
    path(
        "applications/<int:pk>/complete/", views.application_complete, name="application_complete"
    ),
    path(
        "applications/<int:pk>/recommend/",
        views.application_recommend,
        name="application_recommend",
    ),
    path("applications/<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application_reject"),
    path("review/", views.review, name="review"),
    path("review/batch/", views.review_batch, name="review_batch"),
    path("review/export/", views.review_export, name="review_export"),
    path("matching/", views.matching, name="matching"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("placements/", views.placement_list, name="placement_list"),
    path("placements/export/", views.placement_export, name="placement_export"),
    path("placements/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("placements/<int:pk>/start/", views.placement_start, name="placement_start"),
    path("placements/<int:pk>/logs/", views.placement_log, name="placement_log"),
    path("placements/<int:pk>/reports/", views.placement_report, name="placement_report"),
    path("placements/<int:pk>/evaluate/", views.placement_evaluate, name="placement_evaluate"),
    path("placements/<int:pk>/complete/", views.placement_complete, name="placement_complete"),
    path("placements/<int:pk>/duties/", views.duty_add, name="duty_add"),
    path("placements/<int:pk>/duties/<int:duty_pk>/done/", views.duty_done, name="duty_done"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export/", views.coverage_export, name="coverage_export"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/badge/", views.notifications_badge, name="notifications_badge"),
]
