"""/v1.0/tenantRelationships/… (Graph-compatible) and Partner Center's /v1/customers/relationshiprequests."""

from django.urls import path

from graphcompat import assignment_views, customer_views, partner_center_views, relationship_views

RELATIONSHIP = "delegatedAdminRelationships/<str:relationship_id>"

graph_urlpatterns = [
    path("delegatedAdminRelationships", relationship_views.RelationshipCollectionView.as_view(), name="graph_relationships"),
    path(RELATIONSHIP, relationship_views.RelationshipItemView.as_view(), name="graph_relationship"),
    path(f"{RELATIONSHIP}/requests", relationship_views.RequestCollectionView.as_view(), name="graph_requests"),
    path(f"{RELATIONSHIP}/requests/<str:request_id>", relationship_views.RequestItemView.as_view(), name="graph_request"),
    path(f"{RELATIONSHIP}/operations", relationship_views.OperationCollectionView.as_view(), name="graph_operations"),
    path(f"{RELATIONSHIP}/operations/<str:operation_id>", relationship_views.OperationItemView.as_view(), name="graph_operation"),
    path(f"{RELATIONSHIP}/accessAssignments", assignment_views.AssignmentCollectionView.as_view(), name="graph_assignments"),
    path(f"{RELATIONSHIP}/accessAssignments/<str:assignment_id>", assignment_views.AssignmentItemView.as_view(),
         name="graph_assignment"),
    path("delegatedAdminCustomers", customer_views.DelegatedAdminCustomerCollectionView.as_view(), name="graph_customers"),
    path("delegatedAdminCustomers/<str:tenant_id>", customer_views.DelegatedAdminCustomerItemView.as_view(), name="graph_customer"),
]

partner_center_urlpatterns = [
    path("customers/relationshiprequests", partner_center_views.RelationshipRequestView.as_view(), name="pc_relationship_requests"),
]
