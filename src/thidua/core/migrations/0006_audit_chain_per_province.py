"""One audit chain per province (and one for the instance) instead of one for everything
(core.audit): the events already written are re-linked, each to the previous event of its
own chain, after the single chain they formed has been verified — a broken log is not
re-linked (the migration stops, naming the event, and nothing is written); a log that
holds as chains already is left as it is. The re-linking is itself recorded on the
instance chain with the old chain's last hash, so the log as it was stays provable."""

from django.db import migrations, models
from django.db.models.functions import Cast

EDITED = "nội dung đã bị sửa sau khi ghi"
BROKEN = "mã băm của sự kiện trước không khớp"


def _first_break(events, digest, genesis, *, per_chain):
    """(event id, problem) of the first event that breaks the log read as one chain, or
    as a chain per province (per_chain); None when it holds."""
    heads = {}
    for event in events:
        key = event.province_id if per_chain else "all"
        if digest(event.prev_hash, event) != event.hash:
            return event.id, EDITED
        if event.prev_hash != heads.get(key, genesis):
            return event.id, BROKEN
        heads[key] = event.hash
    return None


def relink(apps, schema_editor):
    from django.utils import timezone

    from thidua.core import audit  # the one digest function, as the chain is checked

    event_model = apps.get_model("core", "AuditEvent")
    events = list(event_model.objects.using(schema_editor.connection.alias).order_by("id"))
    if _first_break(events, audit._digest, audit.GENESIS, per_chain=True) is None:
        return  # chains already (an empty log, one province only, or migrated before)
    broken = _first_break(events, audit._digest, audit.GENESIS, per_chain=False)
    if broken is not None:
        raise RuntimeError(f"Audit event #{broken[0]}: {broken[1]}; not re-linked.")
    single_chain_head = events[-1].hash
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
                       after={"events": len(events),
                              "single_chain_last_hash": single_chain_head},
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
