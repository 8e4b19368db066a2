"""Unknown, expired, cancelled, declined, used tokens and revoked links do the same work (issue 18, item 10).

Proved by structure, not by timing: for each case the acceptance page (`GET /r/` with the token in
the session) runs the same SQL statements (literals aside), executes the same lines of our code in
the same order, and renders the same template with the same status. A valid token, for contrast,
takes another path (the instrument does see differences). The partner-user join link likewise.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admincenter.accept_views import SESSION_KEY as OFFER_SESSION_KEY
from console.partners_views import SESSION_KEY as JOIN_SESSION_KEY
from invitations.choices import InvitationStatus, LinkStatus
from partnercenter.session_secrets import session_put_token
from partnercenter.tokens import new_token, token_hash
from partners.choices import PartnerUserInvitationStatus
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    PartnerFactory,
    PartnerUserInvitationFactory,
    RelationshipLinkFactory,
)

pytestmark = pytest.mark.django_db

BASE = str(Path(settings.BASE_DIR).resolve())
VENV = str(Path(settings.BASE_DIR).resolve() / ".venv")
LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def our_code(filename: str) -> bool:
    return filename.startswith(BASE) and not filename.startswith(VENV) and "/tests/" not in filename


class Observation:
    def __init__(self, response: Any, statements: list[str], lines: list[tuple[str, int]]) -> None:
        self.status = response.status_code
        self.templates = [t.name for t in response.templates]
        self.statements = statements
        self.lines = lines


def observe(client: Client, session_key: str, token: str, path: str) -> Observation:
    session = client.session
    session_put_token(session, session_key, token)
    session.save()
    lines: list[tuple[str, int]] = []

    def tracer(frame: Any, event: str, arg: Any) -> Callable[..., Any] | None:
        if not our_code(frame.f_code.co_filename):
            return None  # no line events inside libraries
        if event == "line":
            lines.append((frame.f_code.co_filename.removeprefix(BASE), frame.f_lineno))
        return tracer

    with CaptureQueriesContext(connection) as queries:
        sys.settrace(tracer)
        try:
            response = client.get(path)
        finally:
            sys.settrace(None)
    statements = [LITERAL.sub("?", q["sql"]) for q in queries.captured_queries]
    return Observation(response, statements, lines)


def assert_same_work(observations: dict[str, Observation]) -> None:
    reference_name, reference = next(iter(observations.items()))
    assert reference.status == 404
    for name, observed in observations.items():
        assert observed.status == reference.status, name
        assert observed.templates == reference.templates, name
        assert observed.statements == reference.statements, f"{name} runs other SQL than {reference_name}"
        assert observed.lines == reference.lines, f"{name} runs other lines of our code than {reference_name}"


def invitation_with(token: str, **fields: Any) -> None:
    InvitationFactory(partner=PartnerFactory(), token_hash=token_hash(token), **fields)


def test_unknown_expired_cancelled_declined_used_tokens_and_revoked_links_do_the_same_work(client):
    now = timezone.now()
    cases: dict[str, str] = {name: new_token() for name in (
        "unknown", "expired by date", "expired", "cancelled", "declined", "accepted", "revoked link")}
    invitation_with(cases["expired by date"], expires_at=now - timedelta(minutes=1))
    invitation_with(cases["expired"], status=InvitationStatus.EXPIRED, expired_at=now)
    invitation_with(cases["cancelled"], status=InvitationStatus.CANCELLED, cancelled_at=now)
    invitation_with(cases["declined"], status=InvitationStatus.DECLINED, declined_at=now)
    invitation_with(cases["accepted"], status=InvitationStatus.ACCEPTED, accepted_at=now, customer=CustomerFactory())
    RelationshipLinkFactory(partner=PartnerFactory(), token_hash=token_hash(cases["revoked link"]), status=LinkStatus.REVOKED)
    valid = new_token()
    invitation_with(valid)

    observe(client, OFFER_SESSION_KEY, new_token(), "/r/")  # warm caches (templates, translations, lazy imports)
    observations = {name: observe(client, OFFER_SESSION_KEY, token, "/r/") for name, token in cases.items()}
    assert_same_work(observations)
    assert len(observations["unknown"].statements) >= 2  # both lookups, whatever the first finds
    assert observations["unknown"].templates[0] == "invitations/accept_invalid.html"

    usable = observe(client, OFFER_SESSION_KEY, valid, "/r/")
    assert usable.status == 200 and usable.lines != observations["unknown"].lines


def test_unknown_expired_cancelled_and_used_join_links_do_the_same_work(client):
    now = timezone.now()
    cases: dict[str, str] = {name: new_token() for name in ("unknown", "expired by date", "expired", "cancelled", "accepted")}

    def join_invitation(token: str, **fields: Any) -> None:
        PartnerUserInvitationFactory(partner=PartnerFactory(), token_hash=token_hash(token), **fields)

    join_invitation(cases["expired by date"], expires_at=now - timedelta(minutes=1))
    join_invitation(cases["expired"], status=PartnerUserInvitationStatus.EXPIRED, expired_at=now)
    join_invitation(cases["cancelled"], status=PartnerUserInvitationStatus.CANCELLED, cancelled_at=now)
    join_invitation(cases["accepted"], status=PartnerUserInvitationStatus.ACCEPTED, accepted_at=now)

    observe(client, JOIN_SESSION_KEY, new_token(), "/join/")
    assert_same_work({name: observe(client, JOIN_SESSION_KEY, token, "/join/") for name, token in cases.items()})


def test_opening_a_link_keeps_no_usable_token_in_the_session_row(client):
    token = new_token()
    assert client.get(f"/r/{token}").status_code == 302
    from django.contrib.sessions.models import Session

    stored = Session.objects.get().get_decoded()
    assert token not in str(stored) and stored[OFFER_SESSION_KEY]  # sealed, with a key the database does not hold
