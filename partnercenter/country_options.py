"""Country `<option>` lists, shared by the pages that offer a country (the Customers page's filter, the
acceptance page's new-tenant form): the names in one language and the markup, built once per process
and key rather than by a template loop over ~250 countries on every request (issue 25)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django_countries import countries

_SELECTED = mark_safe(" selected")


@lru_cache(maxsize=256)
def country_pairs(language: str | None, codes: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
    """(code, name in `language`) for `codes` in their order, or for every country (django-countries'
    order: by name in that language) when `codes` is None."""
    with translation.override(language):
        if codes is None:
            return tuple((str(code), str(name)) for code, name in countries)
        return tuple((code, str(countries.name(code))) for code in codes)


@lru_cache(maxsize=256)
def country_options_html(pairs: tuple[tuple[str, str], ...], selected: str, language: str | None) -> SafeString:
    """The `<option>`s of `pairs` ((code, name) in `language`, escaped here) with `selected` marked.
    `language` is part of the cache key only: the names are already in it."""
    return _options(pairs, selected)


def _options(pairs: Iterable[tuple[str, str]], selected: str) -> SafeString:
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((code, _SELECTED if code == selected else "", name) for code, name in pairs))
