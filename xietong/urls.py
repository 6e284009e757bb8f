"""Top-level URL map: one include per app, the JSON API under /api/."""

from django.urls import include, path
from django.views.i18n import set_language

from xietong.api import api

urlpatterns = [
    path("", include("xietong.workbench.urls")),
    path("", include("xietong.core.urls")),
    path("accounts/", include("xietong.accounts.urls")),
    path("regions/", include("xietong.regions.urls")),
    path("institutions/", include("xietong.institutions.urls")),
    path("exchanges/", include("xietong.exchanges.urls")),
    path("partnerships/", include("xietong.partnerships.urls")),
    path("plan/indicators/", include("xietong.plan.indicators.urls")),
    path("plan/reports/", include("xietong.plan.reports.urls")),
    path("plan/", include("xietong.plan.urls")),
    path("resources/", include("xietong.resources.urls")),
    path("dashboard/", include("xietong.dashboard.urls")),
    path("resources/flows/", include("xietong.resources.flow_urls")),
    path("jobs/", include("xietong.jobs.urls")),
    path("imports/", include("xietong.transfer.urls")),
    path("attachments/", include("xietong.attachments.urls")),
    path("notifications/", include("xietong.notifications.urls")),
    path("resources/", include("xietong.resources.metadata_urls")),
    path("training/", include("xietong.training.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
]

handler404 = "xietong.core.views.not_found"
handler403 = "xietong.core.views.forbidden"
handler500 = "xietong.core.views.server_error"
