from __future__ import annotations

from django.conf import settings

from accounts.models import User


def user_set_preferred_language(*, user: User, language: str) -> None:
    """Remember the user's language (pages and the emails they receive)."""
    if language in dict(settings.LANGUAGES) and user.preferred_language != language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language
