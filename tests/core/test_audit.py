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


# --- one chain per province (issue 12: no global lock for every write) --------------------

def _two_provinces():
    return (Province.objects.create(code="BN", name="Bắc Ninh"),
            Province.objects.create(code="HN", name="Hà Nội"))


def test_each_province_and_the_instance_keep_a_chain_of_their_own(db):
    bn, hn = _two_provinces()
    order = [bn, hn, None, bn, bn, hn, None]
    events = [audit.record("hệ thống", "test.event", ("org.unit", i),
                           province_id=p.id if p else None, after={"i": i})
              for i, p in enumerate(order)]
    links = [(e.province_id, e.prev_hash) for e in events]
    assert links == [(bn.id, audit.GENESIS), (hn.id, audit.GENESIS), (None, audit.GENESIS),
                     (bn.id, events[0].hash), (bn.id, events[3].hash),
                     (hn.id, events[1].hash), (None, events[2].hash)]
    assert audit.verify() is None


def test_a_row_deleted_from_one_chain_is_found_at_that_chain_s_next_event(db):
    bn, hn = _two_provinces()
    events = [audit.record("hệ thống", "test.event", ("org.unit", i),
                           province_id=p.id, after={"i": i})
              for i, p in enumerate([bn, hn, bn, hn, hn, bn])]
    AuditEvent.objects.filter(pk=events[2].pk).delete()  # bn's second event
    broken = audit.verify()
    assert (broken.event_id, broken.problem) == (events[5].pk, BROKEN_LINK)


def test_moving_a_row_to_another_chain_is_found_as_an_edit(db):
    bn, hn = _two_provinces()
    events = [audit.record("hệ thống", "test.event", ("org.unit", i), province_id=bn.id)
              for i in range(3)]
    AuditEvent.objects.filter(pk=events[1].pk).update(province_id=hn.id)
    broken = audit.verify()
    assert (broken.event_id, broken.problem) == (events[1].pk, EDITED)


def _hold_an_append(province_id, appended, release):
    """Record on `province_id`'s chain in a transaction kept open until `release`."""
    from django.db import transaction

    try:
        with transaction.atomic():
            audit.record("hệ thống", "test.held", ("org.unit", 0), province_id=province_id)
            appended.set()
            release.wait(10)
    finally:
        connection.close()


def _append(province_id, done):
    try:
        audit.record("hệ thống", "test.other", ("org.unit", 1), province_id=province_id)
        done.set()
    finally:
        connection.close()


def test_a_province_s_append_does_not_wait_for_another_province_s_transaction(file_db):
    """PostgreSQL: the lock is the chain's, so Hà Nội appends while a Bắc Ninh write is
    still open, and a second Bắc Ninh append waits for it. (SQLite lets one writer in at
    a time whatever the chain: there, the other province's append waits too.)"""
    import threading

    bn, hn = _two_provinces()
    for other, waits in ((hn, connection.vendor == "sqlite"), (bn, True)):
        appended, release, done = threading.Event(), threading.Event(), threading.Event()
        holder = threading.Thread(target=_hold_an_append, args=(bn.id, appended, release))
        holder.start()
        assert appended.wait(10)
        second = threading.Thread(target=_append, args=(other.id, done))
        second.start()
        finished_while_held = done.wait(1.5)
        release.set()
        holder.join(10)
        second.join(10)
        assert (other.code, finished_while_held) == (other.code, not waits)
        assert done.is_set()
    assert audit.verify() is None
    assert AuditEvent.objects.filter(province_id=bn.id).count() == 3


def test_the_migration_relinks_a_single_chain_log_into_chains(db):
    """core.0006: a log written as one chain is verified, then re-linked per chain; the
    re-linking is recorded with the old chain's last hash."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    relink = importlib.import_module(
        "thidua.core.migrations.0006_audit_chain_per_province").relink
    bn, hn = _two_provinces()
    events = [audit.record("hệ thống", "test.event", ("org.unit", i), province_id=p)
              for i, p in enumerate([bn.id, hn.id, None, bn.id])]
    previous = audit.GENESIS
    for event in events:  # as the log was written before: one chain for everything
        event.prev_hash = previous
        event.hash = audit._digest(previous, event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash,
                                                      hash=event.hash)
        previous = event.hash
    relink(apps, SimpleNamespace(connection=connection))
    assert audit.verify() is None
    note = AuditEvent.objects.get(action="core.audit.relinked")
    assert (note.province_id, note.after) == (None, {"events": 4,
                                                      "single_chain_last_hash": previous})
    stored = {e.pk: e.prev_hash for e in AuditEvent.objects.all()}
    assert stored[events[3].pk] == AuditEvent.objects.get(pk=events[0].pk).hash


def test_the_migration_refuses_a_broken_log_and_writes_nothing(db):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    relink = importlib.import_module(
        "thidua.core.migrations.0006_audit_chain_per_province").relink
    bn, _ = _two_provinces()
    events = [audit.record("hệ thống", "test.event", ("org.unit", i), province_id=bn.id)
              for i in range(3)]
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="đã sửa")
    before = list(AuditEvent.objects.values_list("pk", "prev_hash", "hash"))
    with pytest.raises(RuntimeError, match=f"#{events[1].pk}: {EDITED}"):
        relink(apps, SimpleNamespace(connection=connection))
    assert list(AuditEvent.objects.values_list("pk", "prev_hash", "hash")) == before


def test_the_migration_leaves_a_log_already_in_chains_as_it_is(db):
    """Migrating back and forth (the reverse changes nothing) finds chains: nothing moves."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    relink = importlib.import_module(
        "thidua.core.migrations.0006_audit_chain_per_province").relink
    bn, hn = _two_provinces()
    for i, p in enumerate([bn.id, hn.id, None, bn.id, hn.id]):
        audit.record("hệ thống", "test.event", ("org.unit", i), province_id=p)
    before = list(AuditEvent.objects.values_list("pk", "prev_hash", "hash"))
    relink(apps, SimpleNamespace(connection=connection))
    assert list(AuditEvent.objects.values_list("pk", "prev_hash", "hash")) == before
    assert audit.verify() is None
