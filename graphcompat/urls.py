"""The Graph-compatible surface under /v1.0/ and /beta/ (the same resources), and Partner Center's
/v1/customers/relationshiprequests. Every other path under these prefixes answers Graph's JSON error."""

from django.urls import include, path, re_path

from graphcompat import assignment_views, customer_views, partner_center_views, relationship_views
from graphcompat.base import GraphCollectionView, UnknownPathView

RELATIONSHIP = "delegatedAdminRelationships/<str:relationship_id>"
CUSTOMER = "delegatedAdminCustomers/<str:tenant_id>"
COUNT = "/$count"


def _collection(route: str, view: type[GraphCollectionView], name: str) -> list:
    """The collection and its /$count (first, so `$count` is never taken for an id)."""
    return [
        path(route + COUNT, view.as_view(count_only=True), name=f"{name}_count"),
        path(route, view.as_view(), name=name),
    ]


graph_urlpatterns = [
    *_collection("delegatedAdminRelationships", relationship_views.RelationshipCollectionView, "graph_relationships"),
    path(RELATIONSHIP, relationship_views.RelationshipItemView.as_view(), name="graph_relationship"),
    *_collection(f"{RELATIONSHIP}/requests", relationship_views.RequestCollectionView, "graph_requests"),
    path(f"{RELATIONSHIP}/requests/<str:request_id>", relationship_views.RequestItemView.as_view(), name="graph_request"),
    *_collection(f"{RELATIONSHIP}/operations", relationship_views.OperationCollectionView, "graph_operations"),
    path(f"{RELATIONSHIP}/operations/<str:operation_id>", relationship_views.OperationItemView.as_view(), name="graph_operation"),
    *_collection(f"{RELATIONSHIP}/accessAssignments", assignment_views.AssignmentCollectionView, "graph_assignments"),
    path(f"{RELATIONSHIP}/accessAssignments/<str:assignment_id>", assignment_views.AssignmentItemView.as_view(),
         name="graph_assignment"),
    *_collection("delegatedAdminCustomers", customer_views.DelegatedAdminCustomerCollectionView, "graph_customers"),
    path(CUSTOMER, customer_views.DelegatedAdminCustomerItemView.as_view(), name="graph_customer"),
    *_collection(f"{CUSTOMER}/serviceManagementDetails", customer_views.ServiceManagementDetailCollectionView,
                 "graph_service_details"),
]

partner_center_urlpatterns = [
    path("customers/relationshiprequests", partner_center_views.RelationshipRequestView.as_view(), name="pc_relationship_requests"),
]



def _surface(routes: list) -> list:
    """The routes, then Graph's JSON error for any other path (newlines included), as /api/v1 does."""
    return [*routes, re_path(r"^[\s\S]*$", UnknownPathView.as_view(), name="graph-not-found")]


# Mounted by partnercenter/urls.py at "" (one include for the whole surface).
urlpatterns = [
    path("v1.0/", include(_surface([path("tenantRelationships/", include(graph_urlpatterns))]))),
    path("beta/", include((_surface([path("tenantRelationships/", include(graph_urlpatterns))]), "graph_beta"), namespace="graph_beta")),
    path("v1/", include(_surface(partner_center_urlpatterns))),
]
