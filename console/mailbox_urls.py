from django.urls import path

from console import mailbox_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.mailbox, name="mailbox"),
    path("<int:pk>/", views.mailbox_message, name="mailbox_message"),
    path("<int:pk>/html/", views.mailbox_message_html, name="mailbox_message_html"),
]
