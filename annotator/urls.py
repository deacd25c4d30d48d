"""Top-level routes: the browser app, accounts, admin, the API and its schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from annotator.accounts.forms import GuardedAdminAuthenticationForm
from annotator.accounts.views import LoginView
from annotator.core.views import app_shell, health

admin.site.login_form = GuardedAdminAuthenticationForm

urlpatterns = [
    path("", app_shell, name="app"),
    path("healthz", health, name="health"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its set-up script as a file, so no inline script is needed (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    path("api/v1/", include("api.urls")),
]

handler404 = "annotator.core.views.not_found"
handler500 = "annotator.core.views.server_error"
