"""Django's database session store, reading the session with one prepared statement (issue 25).

Every signed-in request reads its session first. Django's store builds that read through the ORM
(`Session.objects.get(session_key=…, expire_date__gt=now)`): a queryset, a WHERE tree and its
compilation on every request, for a statement that never changes. This store sends the same statement
as SQL written once per process; the row, the expiry check, the decoding and everything else (writes,
key rotation, deletion on sign-out, `clearsessions`) are Django's unchanged. The class keeps Django's
name: the signing salt of session data is derived from it (`django.contrib.sessions.SessionStore`), so
sessions stored by either class are read by the other.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class _Row:
    __slots__ = ("session_data",)

    def __init__(self, session_data: str) -> None:
        self.session_data = session_data


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        session_key = self.session_key
        if session_key is None:  # no cookie, or one Django refused as a key (too short): no row to read
            self._session_key = None
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608 — table name from the model
                [session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return _Row(row[0])
