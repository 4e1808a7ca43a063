"""The audit log: record a state change, verify the hash chain.

Every service that changes state calls `record` inside its own transaction, so the
event exists exactly when the change does. Ballot contents never come here.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from thidua.core.models import AuditEvent

GENESIS = "0" * 64
# Any constant: the advisory lock that serialises appends on PostgreSQL. SQLite needs
# none, its IMMEDIATE transactions already let one writer in at a time.
_PG_LOCK_KEY = 7_011_2022


def _plain(data):
    """JSON-safe copy (Decimal, dates → strings) so what is hashed is what is stored."""
    if data is None:
        return None
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _digest(prev_hash: str, event: AuditEvent) -> str:
    body = {
        "at": event.at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "province_id": event.province_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _label(actor, user) -> str:
    if user is not None:
        return user.get_username()
    return actor if isinstance(actor, str) else "hệ thống"


def record(actor, action: str, obj, *, before=None, after=None, reason: str = "",
           province_id=None) -> AuditEvent:
    """Append one event. `obj` is a model instance or an (object_type, object_id) pair."""
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        object_type, object_id = obj._meta.label_lower, obj.pk
    user = getattr(actor, "user", actor)  # an org.rules.Actor or a User
    if not getattr(user, "is_authenticated", False):
        user = None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            actor=user,
            actor_label=_label(actor, user),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            province_id=province_id,
            before=_plain(before),
            after=_plain(after),
            reason=reason,
            prev_hash=last or GENESIS,
        )
        event.hash = _digest(event.prev_hash, event)
        event.save()
    return event


@dataclass(frozen=True)
class Break:
    event_id: int
    problem: str

    def __str__(self):
        return f"Chuỗi nhật ký bị phá vỡ tại sự kiện #{self.event_id}: {self.problem}"


def verify() -> Break | None:
    """Walk the chain in order; the first row whose link or content does not match."""
    expected_prev = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return Break(event.id,
                         "mã băm của sự kiện trước không khớp (có dòng bị xóa hoặc chèn)")
        if _digest(event.prev_hash, event) != event.hash:
            return Break(event.id, "nội dung đã bị sửa sau khi ghi")
        expected_prev = event.hash
    return None


def history(obj) -> list[AuditEvent]:
    """Every event recorded on one object (a model instance), oldest first."""
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower,
                                          object_id=str(obj.pk)).order_by("id"))
