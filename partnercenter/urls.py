from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from admincenter import accept_views
from console import accounts_views as account_views
from console import partners_views as partner_views
from console import search_urls
from partnercenter import health

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# Malformed input (partnercenter.params.MalformedInput) answers 400 with what was wrong.
handler400 = "partnercenter.error_views.bad_request"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("p/", include("console.partners_urls")),
    path("p/", include("console.invitations_urls")),
    path("p/", include("console.relationships_urls")),
    path("p/", include("console.audit_urls")),
    path("r/<str:token>", accept_views.invitation_open, name="invitation_open"),
    path("r/", accept_views.invitation_review, name="invitation_review"),
    path("agreement/<str:version>/", accept_views.agreement_page, name="agreement_page"),
    path("c/", include("admincenter.customers_urls")),
    path("c/", include("admincenter.audit_urls")),
    path("join/<str:token>", partner_views.partner_user_invitation_open, name="partner_user_invitation_open"),
    path("join/", partner_views.partner_user_invitation_review, name="partner_user_invitation_review"),
    path("mailbox/", include("console.mailbox_urls")),
]

# REST API, and the Partner settings pages for API keys and webhooks (issue 7).
urlpatterns += [
    path("api/v1/", include("api.urls")),
    path("p/", include("console.api_key_urls")),
    path("p/", include("console.webhook_urls")),
]

# Service requests filed on customers' behalf (issue 6): partner console and customer admin center.
urlpatterns += [
    path("p/", include("console.servicerequests_urls")),
    path("p/", include("console.search_urls")),
    path("p/", include(search_urls.saved_view_patterns)),
    path("p/", include("console.customers_urls")),
    path("c/", include("admincenter.servicerequests_urls")),
]

# Prometheus metrics (issue 12): staff session or the METRICS_TOKEN bearer token.
from partnercenter.metrics import views as metrics_views  # noqa: E402

urlpatterns += [path("metrics", metrics_views.metrics, name="metrics")]

# Microsoft Graph-compatible delegated admin API, Partner Center's relationship-request endpoint,
# and the customer's approval page linked from the lockForApproval email (issue 11).
from admincenter.grant_approval_views import GranularAdminRelationshipView  # noqa: E402

urlpatterns += [
    path("", include("graphcompat.urls")),  # /v1.0/…, /beta/… and /v1/…, with Graph's JSON error for unknown paths
    path("c/<uuid:tenant_id>/granularAdminRelationships/<str:relationship_id>", GranularAdminRelationshipView.as_view(),
         name="granular_admin_relationship"),
]

# Customer services (issue 6): subscriptions and support contacts, directory users and licenses.
urlpatterns += [
    path("p/", include("console.subscriptions_urls")),
]

# Bulk invitations (issue 10).
urlpatterns += [path("p/", include("console.invitation_batches_urls"))]

# Error pages (issue 22): branded, translated, saying what happened and where to go.
handler403 = "partnercenter.error_views.permission_denied"
handler404 = "partnercenter.error_views.page_not_found"
handler500 = "partnercenter.error_views.server_error"

# Browsers ask for /favicon.ico where a page names no icon (Django admin, JSON answers): the product's icon.
from partnercenter.favicon import favicon  # noqa: E402

urlpatterns += [path("favicon.ico", favicon, name="favicon")]

# Notifications (issue 24 item 6): each person's in-app list and email preferences.
urlpatterns += [path("p/", include("console.notifications_urls")), path("c/", include("admincenter.notifications_urls"))]
