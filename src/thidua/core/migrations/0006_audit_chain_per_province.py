"""One audit chain per province (and one for the instance) instead of one for everything
(core.audit): the events already written are re-linked, each to the previous event of its
own chain, after the single chain they formed has been verified — a broken log is not
re-linked (the migration stops, naming the event, and nothing is written). The re-linking
is itself recorded on the instance chain with the old chain's last hash, so the log as
it was stays provable."""

from django.db import migrations, models
from django.db.models.functions import Cast

EDITED = "nội dung đã bị sửa sau khi ghi"
BROKEN = "mã băm của sự kiện trước không khớp"


def relink(apps, schema_editor):
    from django.utils import timezone

    from thidua.core import audit  # the one digest function, as the chain is checked

    event_model = apps.get_model("core", "AuditEvent")
    events = list(event_model.objects.using(schema_editor.connection.alias).order_by("id"))
    expected = audit.GENESIS
    for event in events:  # the single chain, as it was
        if audit._digest(event.prev_hash, event) != event.hash:
            raise RuntimeError(f"Audit event #{event.id}: {EDITED}; not re-linked.")
        if event.prev_hash != expected:
            raise RuntimeError(f"Audit event #{event.id}: {BROKEN}; not re-linked.")
        expected = event.hash
    if not events:
        return
    heads = {}
    for event in events:
        event.prev_hash = heads.get(event.province_id, audit.GENESIS)
        event.hash = audit._digest(event.prev_hash, event)
        heads[event.province_id] = event.hash
    # Hashes are unique: clear them first so no row meets another's new hash midway.
    event_model.objects.filter(pk__in=[e.pk for e in events]).update(
        hash=Cast("id", models.CharField()))
    event_model.objects.bulk_update(events, ["prev_hash", "hash"], batch_size=2000)
    note = event_model(at=timezone.now(), actor=None, actor_label="hệ thống",
                       action="core.audit.relinked", object_type="core.auditevent",
                       object_id=str(events[-1].id), province_id=None, before=None,
                       after={"events": len(events), "single_chain_last_hash": expected},
                       reason="Nhật ký tách thành một chuỗi cho mỗi tỉnh.",
                       prev_hash=heads.get(None, audit.GENESIS))
    note.hash = audit._digest(note.prev_hash, note)
    note.save()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_twofactor_secret_sealed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["province_id", "id"], name="core_audit_chain"),
        ),
        migrations.RunPython(relink, migrations.RunPython.noop),
    ]
