from django.urls import path

from xietong.accounts import second_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("login/code/", second_factor_views.second_factor, name="second_factor"),
    path("login/enrol/", second_factor_views.enrol, name="enrol"),
    path("reauthenticate/", second_factor_views.reauthenticate, name="reauthenticate"),
    path("me/recovery-codes/", second_factor_views.recovery_codes_new, name="recovery_codes_new"),
    path("me/", views.account, name="account"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("users/", views.users, name="users"),
    path("users/export/", views.user_export, name="user_export"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", views.role_grant, name="role_grant"),
    path("users/<int:pk>/roles/<int:role_pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/password/", views.password_reset, name="password_reset"),
    path(
        "users/<int:pk>/second-factor/reset/", second_factor_views.reset, name="second_factor_reset"
    ),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/export/", views.audit_export, name="audit_export"),
]
