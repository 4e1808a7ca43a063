"""The append-only, hash-chained audit log (core.audit) and `thidua audit verify`."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError

from conftest import make_user
from thidua.core import audit
from thidua.core.models import AuditEvent, User
from thidua.org.models import Province

BROKEN_LINK = "mã băm của sự kiện trước không khớp (có dòng bị xóa hoặc chèn)"
EDITED = "nội dung đã bị sửa sau khi ghi"
TABLE = AuditEvent._meta.db_table  # a constant of our own model, not user input


def _events(count, actor="hệ thống"):
    province = Province.objects.create(code="BN", name="Bắc Ninh")
    return [
        audit.record(actor, "test.event", province, province_id=province.id,
                     before={"n": i, "amount": Decimal("1.50")},
                     after={"n": i + 1, "tên": "Sở Tư pháp", "list": [1, "hai", None]},
                     reason=f"Lý do số {i}")
        for i in range(count)
    ]


def test_chain_verifies_after_many_events(db):
    events = _events(120)
    assert audit.verify() is None
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    stored = AuditEvent.objects.get(pk=events[7].pk)
    assert stored.before == {"n": 7, "amount": "1.50"}
    assert stored.after == {"n": 8, "tên": "Sở Tư pháp", "list": [1, "hai", None]}
    assert stored.reason == "Lý do số 7"
    assert stored.actor_id is None and stored.actor_label == "hệ thống"


def test_record_names_a_user_actor(db):
    user = make_user("thuong_truc")
    event = audit.record(user, "test.event", ("org.unit", 42), after={"x": 1})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_label, stored.object_type, stored.object_id) == (
        user.id, "thuong_truc", "org.unit", "42")


@pytest.mark.parametrize("change", [
    {"after": {"n": 999}},
    {"reason": "Lý do khác"},
    {"before": None},
    {"actor_label": "người khác"},
    {"action": "test.other"},
    {"province_id": 12345},
])
def test_editing_a_row_is_found_at_that_row(db, change):
    events = _events(10)
    AuditEvent.objects.filter(pk=events[4].pk).update(**change)
    broken = audit.verify()
    assert (broken.event_id, broken.problem) == (events[4].pk, EDITED)
    assert str(broken) == (f"Chuỗi nhật ký bị phá vỡ tại sự kiện #{events[4].pk}: {EDITED}")


def test_editing_with_raw_sql_is_found(db):
    events = _events(6)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = %s WHERE id = %s",  # noqa: S608
                       ["đã sửa", events[2].pk])
    broken = audit.verify()
    assert (broken.event_id, broken.problem) == (events[2].pk, EDITED)


def test_rewriting_a_row_with_its_own_new_hash_breaks_the_next_link(db):
    """Re-hashing an edited row does not help: the next row still points at the old hash."""
    events = _events(6)
    AuditEvent.objects.filter(pk=events[2].pk).update(reason="đã sửa")
    forged = AuditEvent.objects.get(pk=events[2].pk)
    AuditEvent.objects.filter(pk=forged.pk).update(hash=audit._digest(forged.prev_hash, forged))
    broken = audit.verify()
    assert (broken.event_id, broken.problem) == (events[3].pk, BROKEN_LINK)


def test_deleting_a_middle_row_is_found_at_the_next(db):
    events = _events(8)
    AuditEvent.objects.filter(pk=events[3].pk).delete()  # a queryset bypasses Model.delete
    broken = audit.verify()
    assert (broken.event_id, broken.problem) == (events[4].pk, BROKEN_LINK)


def test_deleting_the_first_row_is_found(db):
    events = _events(3)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[0].pk])  # noqa: S608
    assert audit.verify().event_id == events[1].pk


def test_the_first_of_several_breaks_is_reported(db):
    events = _events(8)
    AuditEvent.objects.filter(pk__in=[events[2].pk, events[6].pk]).update(reason="x")
    assert audit.verify().event_id == events[2].pk


def test_rows_cannot_be_changed_or_deleted_through_the_model(db):
    event = _events(2)[0]
    event.reason = "sửa"
    with pytest.raises(PermissionError, match="chỉ được ghi thêm, không được sửa"):
        event.save()
    with pytest.raises(PermissionError, match="chỉ được ghi thêm, không được xóa"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "Lý do số 0"
    assert AuditEvent.objects.count() == 2
    assert audit.verify() is None


def test_a_user_who_acted_is_kept_so_the_chain_stays_intact(db):
    """actor_id is hashed: deleting the user (SET_NULL) would break the chain. People who
    leave are deactivated; deleting them is refused."""
    user = make_user("can_bo_cu")
    audit.record(user, "test.event", ("org.unit", 1), after={"x": 1})
    audit.record("hệ thống", "test.event", ("org.unit", 1), after={"x": 2})
    with pytest.raises(ProtectedError):
        user.delete()
    user.is_active = False
    user.save()
    assert AuditEvent.objects.order_by("id").first().actor_id == user.id
    assert audit.verify() is None
    make_user("chua_lam_gi").delete()  # a user with no events can still go
    assert not User.objects.filter(username="chua_lam_gi").exists()


def test_empty_log_verifies(db):
    assert audit.verify() is None


def test_verify_command_on_an_intact_log(db, capsys):
    events = _events(5)
    call_command("audit", "verify")
    assert capsys.readouterr().out == (
        "Nhật ký nguyên vẹn: 5 sự kiện, chuỗi băm khớp.\n"
        f"Sự kiện cuối: #{events[-1].id}, mã băm {events[-1].hash}\n")


def test_verify_command_names_the_broken_event(db):
    events = _events(5)
    AuditEvent.objects.filter(pk=events[1].pk).update(after={"n": 0})
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    assert str(caught.value) == f"Chuỗi nhật ký bị phá vỡ tại sự kiện #{events[1].pk}: {EDITED}"
