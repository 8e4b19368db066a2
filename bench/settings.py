"""Benchmark settings: the production settings, plus the reference rungs' URLs and the bench app.

Served by gunicorn with `bench.wsgi`; `bench/run.py` supplies the environment production needs.
"""

from __future__ import annotations

from partnercenter.settings.production import *  # noqa: F403
from partnercenter.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
