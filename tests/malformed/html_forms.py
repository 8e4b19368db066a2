"""The forms of a page, read from its HTML: action, method and fields with their default values."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class HtmlForm:
    action: str
    method: str
    enctype: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values a browser would send
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons (name, value)

    def defaults(self) -> list[tuple[str, str]]:
        return [(name, value) for name, values in self.fields.items() for value in values]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def _add(self, name: str, value: str | None) -> None:
        if self._form is None or not name:
            return
        values = self._form.fields.setdefault(name, [])
        if value is not None:
            values.append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = HtmlForm(a.get("action", ""), (a.get("method") or "get").lower(),
                                  a.get("enctype", "application/x-www-form-urlencoded"))
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            kind = a.get("type", "text").lower()
            name = a.get("name", "")
            if kind in {"submit", "button", "image", "reset"}:
                if name:
                    self._form.buttons.append((name, a.get("value", "")))
                return
            if kind in {"checkbox", "radio"}:
                self._add(name, a.get("value", "on") if "checked" in a else None)
            else:
                self._add(name, a.get("value", ""))
        elif tag == "select" and self._form is not None:
            self._select, self._select_first, self._select_chosen = a.get("name", ""), None, False
            self._add(self._select, None)
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._add(self._select, value)
                self._select_chosen = True
        elif tag == "textarea" and self._form is not None:
            self._textarea = a.get("name", "")
            self._add(self._textarea, "")
        elif tag == "button" and self._form is not None and a.get("name"):
            self._form.buttons.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._add(self._select, self._select_first)
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            values = self._form.fields[self._textarea]
            values[-1] += data


def forms_of(html: str) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms
