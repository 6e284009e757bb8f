from django.urls import path

from xietong.training import views

app_name = "training"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.program_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("record/", views.record_mine, name="record"),
    path("record/pdf/", views.record_mine_pdf, name="record_pdf"),
    path("record/<int:staff_id>/", views.record_of_staff, name="record_of"),
    path("record/<int:staff_id>/pdf/", views.record_of_staff_pdf, name="record_of_pdf"),
    path("reach/", views.reach_page, name="reach"),
    path("check-in/", views.check_in, name="check_in"),
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("<int:pk>/", views.program, name="program"),
    path("<int:pk>/edit/", views.program_edit, name="edit"),
    path("<int:pk>/open/", views.program_open, name="open"),
    path("<int:pk>/close/", views.program_close, name="close"),
    path("<int:pk>/complete/", views.program_complete, name="complete"),
    path("<int:pk>/cancel/", views.program_cancel, name="cancel"),
    path("<int:pk>/sessions/", views.session_add, name="session_add"),
    path(
        "<int:pk>/sessions/<int:session_id>/delete/",
        views.session_delete,
        name="session_delete",
    ),
    path("<int:pk>/quotas/", views.quota, name="quota"),
    path("<int:pk>/enroll/", views.enroll, name="enroll"),
    path("<int:pk>/enroll-for/", views.enroll_for, name="enroll_for"),
    path("<int:pk>/roster/", views.roster, name="roster"),
    path(
        "<int:pk>/roster/<int:session_id>/",
        views.attendance_save,
        name="attendance",
    ),
    path("<int:pk>/roster/<int:session_id>/code/", views.session_code, name="code"),
    path("<int:pk>/certificates/", views.program_certificates, name="certificates"),
    path("<int:pk>/certificates/issue/", views.certificates_issue, name="issue"),
    path("enrollments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("enrollments/<int:pk>/assess/", views.assess, name="assess"),
    path("enrollments/<int:pk>/hours/", views.hours, name="hours"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf_view, name="certificate_pdf"),
]
