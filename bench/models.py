"""The reference rung R4's table: one narrow row per request, nothing else."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class BenchWrite(models.Model):
    """A row written by the R4 rung (one committed INSERT); it means nothing to the product."""

    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.note
