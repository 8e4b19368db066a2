"""Our cheaper stand-ins for django-csp's and Django's messages middleware answer exactly as the
originals: the same CSP header (rebuilt when the settings change, per-view policies kept), and
flash messages that still reach the next page."""

from __future__ import annotations

import pytest
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils.functional import empty

from partnercenter.middleware import LazyMessageMiddleware
from partnercenter.security_headers import CSPMiddleware


def test_the_csp_header_is_the_policy_django_csp_builds_from_the_settings(client):
    response = client.get("/healthz")
    assert response["Content-Security-Policy"] == build_policy()
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response


def test_a_changed_policy_setting_changes_the_header_and_a_report_only_policy_is_sent(client):
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}},
        CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp"}},
    ):
        response = client.get("/healthz")
        assert response["Content-Security-Policy"] == "default-src 'none'"
        assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'; report-uri /csp"
    assert client.get("/healthz")["Content-Security-Policy"] == build_policy()


def run_csp(response: HttpResponse):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/somewhere")
    return request, CSPMiddleware(lambda request: response)(request)


def test_a_response_with_its_own_policy_keeps_it():
    response = HttpResponse("framed mail")
    response._csp_replace = {"default-src": ["'none'"], "frame-ancestors": ["'self'"]}  # type: ignore[attr-defined]
    _request, response = run_csp(response)
    header = response["Content-Security-Policy"]
    assert "default-src 'none'" in header and "frame-ancestors 'self'" in header


def test_an_exempt_response_gets_no_header_and_the_nonce_cannot_be_read_after_the_response():
    exempt = HttpResponse()
    exempt._csp_exempt = True  # type: ignore[attr-defined]
    assert "Content-Security-Policy" not in run_csp(exempt)[1]
    request, _response = run_csp(HttpResponse())
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_request_that_neither_adds_nor_shows_a_message_never_builds_the_message_storage(client):
    response = client.get("/healthz")
    assert response.wsgi_request._messages._wrapped is empty
    assert "messages" not in response.cookies


def with_session(request):  # type: ignore[no-untyped-def]
    SessionMiddleware(lambda request: HttpResponse()).process_request(request)
    return request


def test_a_message_added_on_one_request_is_shown_on_the_next():
    factory = RequestFactory()

    def add(request):  # type: ignore[no-untyped-def]
        messages.success(request, "Saved.")
        return HttpResponse()

    first = LazyMessageMiddleware(add)(with_session(factory.get("/")))
    assert "messages" in first.cookies

    shown: list[str] = []

    def show(request):  # type: ignore[no-untyped-def]
        shown.extend(str(message) for message in get_messages(request))
        return HttpResponse()

    second_request = factory.get("/")
    second_request.COOKIES["messages"] = first.cookies["messages"].value
    second = LazyMessageMiddleware(show)(with_session(second_request))
    assert shown == ["Saved."]
    assert second.cookies["messages"].value == ""  # shown once: the cookie is cleared
