"""Root URLs: the only place, with the settings, that names every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from commitments import api as commitments_api
from hkcourt.notifications import api as notifications_api
from hkcourt.org import api as org_api
from hkcourt.org import twofactor_views
from hkcourt.org import views as org_views
from risks import api as risks_api
from risks.measures import api as measures_api
from workflow import api as workflow_api
from workflow.assessment import api as assessment_api
from workflow.dashboard import api as dashboard_api
from workflow.oversight import api as oversight_api

# The REST API's one router: each app registers its own viewsets (its api.py), in dependency order.
api_router = DefaultRouter()
for app_api in (
    org_api,
    notifications_api,
    risks_api,
    measures_api,
    commitments_api,
    workflow_api,
    oversight_api,
    dashboard_api,
    assessment_api,
):
    app_api.register(api_router)

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", org_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/tokens/", include("hkcourt.api.urls")),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/2fa/setup/", twofactor_views.setup, name="twofactor_setup"),
    path("accounts/2fa/verify/", twofactor_views.verify, name="twofactor_verify"),
    path("accounts/2fa/recovery/", twofactor_views.recovery_codes, name="twofactor_recovery"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("hkcourt.org.urls")),
    path("notifications/", include("hkcourt.notifications.urls")),
    path("", include("risks.urls")),
    path("", include("commitments.urls")),
    path("", include("workflow.urls")),
    path("api/v1/", include(api_router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# A path under /api/ that no route matches answers the API's JSON 404; other paths the 404 page.
handler404 = "hkcourt.api.views.not_found"
handler500 = "hkcourt.org.views.server_error"
