"""The REST API's JSON parser: partnercenter.json_input's rules, refused as a 400 problem with the reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from partnercenter.json_input import MalformedJson, json_loads


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return json_loads(stream.read() if stream is not None else b"")
        except MalformedJson as error:
            raise ParseError(error.message) from None
