"""Per-cloud portal settings: where a customer in each cloud accepts a partner's request."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Portal:
    cloud: str
    name: str
    base_url: str


def portal_for(cloud: str) -> Portal:
    config = settings.CLOUD_PORTALS[cloud]
    return Portal(cloud=cloud, name=str(config["portal_name"]), base_url=str(config["base_url"]).rstrip("/"))
