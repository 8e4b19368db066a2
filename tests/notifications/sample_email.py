"""A real email template and context the outbox tests enqueue."""

TEMPLATE = "partners/email/partner_user_invitation"
CONTEXT = {
    "partner_name": "Contoso",
    "partner_id": "4100001",
    "verified_domain": "contoso.example",
    "inviter": "Ada",
    "roles": ["Admin agent"],
    "link": "http://testserver/join/secret-token",
    "expires_at": "2026-12-08T00:00:00+00:00",
    "has_account": False,
}
