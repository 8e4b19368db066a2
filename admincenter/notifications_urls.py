from django.urls import path

from admincenter import notifications_views as views

app_name = "customer_inbox"

urlpatterns = [
    path("<uuid:tenant_id>/notifications/", views.CustomerNotificationListView.as_view(), name="list"),
    path("<uuid:tenant_id>/notifications/unread.json", views.CustomerNotificationUnreadView.as_view(), name="unread"),
    path("<uuid:tenant_id>/notifications/read-all/", views.CustomerNotificationReadAllView.as_view(), name="read_all"),
    path("<uuid:tenant_id>/notifications/<int:notification_pk>/read/", views.CustomerNotificationReadView.as_view(),
         name="read"),
    path("<uuid:tenant_id>/notifications/preferences/", views.CustomerNotificationPreferencesView.as_view(),
         name="preferences"),
]
