"""ModelSerializer fields built once per class (issue 25).

A ModelSerializer works its fields out of the model on every instance: for the invitation, about
two thirds of what a create's 201 body costs. They are the same every time (Meta and the declared
fields fix them), so the first instance's are kept and later instances take a copy, as DRF's
plain Serializer does with its declared fields.
"""

from __future__ import annotations

import copy
from typing import Any

from rest_framework import serializers


class FieldsBuiltOnce(serializers.ModelSerializer):
    """Put first in the bases of a ModelSerializer whose fields depend on nothing but its class."""

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)
