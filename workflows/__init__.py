"""Cross-app workflows: what combines two or more domain apps that must not import each other.

Top of the domain layers (LAYERS.md): imports invitation_batches, invitations, directory,
servicerequests, subscriptions, relationships, customers, partners and below; nothing imports it
but the interfaces and the wiring. No models.
"""
