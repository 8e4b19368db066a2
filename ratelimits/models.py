"""The counters behind every limit (API keys, invalid keys, invitation emails)."""

from __future__ import annotations

from django.db import models


class LimitCounter(models.Model):
    """How many times `bucket` was used in the fixed window that starts at `window_start`.

    `bucket` names the limit and what it counts ("api-key:42", "email-recipient:<hmac>"), never a
    secret or an address in clear. `window_start` is the window's start in epoch seconds (0 for a
    counter that never resets, such as the emails of one invitation). Rows are only ever changed by
    one statement, `INSERT … ON CONFLICT (bucket, window_start) DO UPDATE SET hits = hits + n
    RETURNING hits` (ratelimits.services), which is atomic on SQLite and PostgreSQL. Rows past
    `expires_at` are purged by beat; a null `expires_at` is kept.
    """

    bucket = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="ratelimits_counter_one_per_window"),
        ]
        indexes = [models.Index(fields=["expires_at"], name="ratelimits_counter_expiry")]

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.window_start}: {self.hits}"
