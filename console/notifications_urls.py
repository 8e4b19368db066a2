from django.urls import path

from console import notifications_views as views

app_name = "inbox"

urlpatterns = [
    path("<str:partner_id>/notifications/", views.NotificationListView.as_view(), name="list"),
    path("<str:partner_id>/notifications/unread.json", views.NotificationUnreadView.as_view(), name="unread"),
    path("<str:partner_id>/notifications/read-all/", views.NotificationReadAllView.as_view(), name="read_all"),
    path("<str:partner_id>/notifications/<int:notification_pk>/read/", views.NotificationReadView.as_view(), name="read"),
    path("<str:partner_id>/notifications/preferences/", views.NotificationPreferencesView.as_view(), name="preferences"),
]
