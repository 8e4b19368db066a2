"""The shared country <option> helper (partnercenter/country_options.py): the Customers page's filter and the
acceptance page's new-tenant form build their options with it."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation
from django_countries import countries

from partnercenter.country_options import country_options_html, country_pairs


def test_options_are_the_markup_a_template_loop_renders_escaped_and_selected():
    pairs = (("JP", "Japan"), ("XX", 'Tom & "Jerry" <Ltd>'))
    loop = Template('{% for code, name in pairs %}<option value="{{ code }}"{% if code == selected %} selected{% endif %}>'
                    "{{ name }}</option>{% endfor %}")
    for selected in ("", "JP", "XX", "ZZ"):
        assert country_options_html(pairs, selected, "en") == loop.render(Context({"pairs": pairs, "selected": selected}))
    assert '<option value="XX" selected>Tom &amp; &quot;Jerry&quot; &lt;Ltd&gt;</option>' in country_options_html(pairs, "XX", "en")


def test_pairs_are_in_the_language_asked_for_whatever_the_active_one():
    with translation.override("en"):
        assert country_pairs("ja", ("JP", "US")) == (("JP", "日本"), ("US", "アメリカ合衆国"))
        every = country_pairs("ja")
    with translation.override("ja"):
        assert every == tuple((code, str(name)) for code, name in countries)  # django-countries' order and names
        assert country_pairs("en", ("JP",)) == (("JP", "Japan"),)
    assert len(every) >= 240 and dict(every)["FR"] == "フランス"
