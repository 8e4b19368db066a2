"""The seam through which apps above audit hear about what was recorded (audit imports none of them).

`event_recorded` is sent by `audit.services.audit_record` right after it inserted the event, inside
the caller's transaction, with `event=<AuditEvent>`. A receiver therefore runs in the business
transaction: whatever it writes commits or rolls back with the change, and an exception it raises
propagates to the caller (and rolls the change back). Apps connect in their AppConfig.ready(), e.g.
notifications fans the event out to the partner's webhook subscriptions.
"""

from __future__ import annotations

from django.dispatch import Signal

event_recorded = Signal()
