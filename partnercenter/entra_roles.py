"""The Microsoft Entra built-in roles GDAP grants, read from partnercenter/data/entra_roles.json.

The file carries its source (Microsoft's built-in roles reference, with the commit and date it was
taken from), each role's template id, English and Japanese name and description, whether the
reference marks it privileged, and whether GDAP grants it (with the reason when not). Names and
descriptions are chosen by the active language when they are turned into text.

partnercenter/directory_roles.py builds its catalog from `gdap_roles()` (see its ALL_ROLES); nothing else reads
the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from django.utils.functional import Promise, lazy
from django.utils.translation import get_language

DATA_FILE = Path(__file__).resolve().parent / "data" / "entra_roles.json"
LANGUAGES = ("en", "ja")


def _pick(texts: dict[str, str]) -> str:
    language = (get_language() or "en").split("-")[0]
    return texts.get(language) or texts["en"]


# lazy() returns a proxy (a Promise) that picks the text when it is turned into a str; django-stubs types
# lazy(f) as f itself, so the cast states what the call really returns.
_lazy_pick = cast(Callable[[dict[str, str]], Promise], lazy(_pick, str))


@dataclass(frozen=True)
class EntraRole:
    id: str
    names: dict[str, str]
    descriptions: dict[str, str]
    privileged: bool
    gdap: bool
    refused_reasons: dict[str, str] | None = None

    @property
    def name(self) -> Promise:
        return _lazy_pick(self.names)

    @property
    def description(self) -> Promise:
        return _lazy_pick(self.descriptions)

    @property
    def refused_reason(self) -> Promise | str:
        return _lazy_pick(self.refused_reasons) if self.refused_reasons else ""


@cache
def catalog_file() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def entra_roles() -> tuple[EntraRole, ...]:
    """Every built-in role of the reference, in its order (alphabetical by English name)."""
    return tuple(EntraRole(id=row["id"], names=row["name"], descriptions=row["description"], privileged=row["privileged"],
                           gdap=row["gdap"], refused_reasons=row.get("gdapRefusedReason"))
                 for row in catalog_file()["roles"])


def gdap_roles() -> tuple[EntraRole, ...]:
    """The roles a delegated admin relationship may carry."""
    return tuple(role for role in entra_roles() if role.gdap)


def refused_roles() -> dict[str, EntraRole]:
    """Built-in roles GDAP does not grant, by id (a request naming one gets a clear refusal)."""
    return {role.id: role for role in entra_roles() if not role.gdap}


def auto_extend_refused_with() -> frozenset[str]:
    return frozenset(catalog_file()["rules"]["autoExtendRefusedWith"])
