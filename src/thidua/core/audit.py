"""The audit log: record a state change, verify the hash chains.

Every service that changes state calls `record` inside its own transaction, so the
event exists exactly when the change does. Ballot contents never come here.

One chain per province (the events of its data, `province_id`) and one for the instance
(accounts, sign-ins, tokens: no province): each event carries the hash of the previous
event of its own chain. Appending takes that chain's lock only — on PostgreSQL an
advisory lock per chain, held to the end of the writing transaction; SQLite's IMMEDIATE
transactions already let one writer in at a time — so provinces never wait for each
other's writes, and each chain stays a total order that `verify` walks.
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
# The class key of the chains' advisory locks on PostgreSQL (any constant of ours): the
# lock of a chain is (class, province id), the instance chain's (class, -1).
_PG_LOCK_CLASS = 7_011
_INSTANCE_CHAIN = -1


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


def _lock_chain(province_id) -> None:
    """Take the chain's lock until the transaction ends (PostgreSQL; SQLite holds its
    database write lock already). A province id beyond 32 bits shares a lock with
    another: a wait, never a wrong link."""
    if connection.vendor != "postgresql":
        return
    key = _INSTANCE_CHAIN if province_id is None else int(province_id) % (2 ** 31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_PG_LOCK_CLASS, key])


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
        _lock_chain(province_id)
        last = (AuditEvent.objects.filter(province_id=province_id).order_by("-id")
                .values_list("hash", flat=True).first())
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
    """Walk every chain at once, in id order; the first row whose content or link does not
    match. The content first: a row edited (its province too) is named as edited."""
    heads = {}  # province id (None: the instance) -> hash of the chain's last event
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if _digest(event.prev_hash, event) != event.hash:
            return Break(event.id, "nội dung đã bị sửa sau khi ghi")
        if event.prev_hash != heads.get(event.province_id, GENESIS):
            return Break(event.id,
                         "mã băm của sự kiện trước không khớp (có dòng bị xóa hoặc chèn)")
        heads[event.province_id] = event.hash
    return None


def history(obj) -> list[AuditEvent]:
    """Every event recorded on one object (a model instance), oldest first."""
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower,
                                          object_id=str(obj.pk)).order_by("id"))
