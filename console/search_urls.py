from django.urls import path

from console import search_views
from console.saved_views import SavedViewActionView

app_name = "search"

urlpatterns = [
    path("<str:partner_id>/search/", search_views.SearchView.as_view(), name="search"),
]

saved_view_patterns = ([
    path("<str:partner_id>/saved-views/", SavedViewActionView.as_view(), name="action"),
], "saved_views")
