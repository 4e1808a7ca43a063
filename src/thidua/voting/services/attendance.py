"""The roll call (RULES.md 28, 29, 40): who is present, the reason of each absence,
the delegates' names."""

from dataclasses import dataclass

from django.db import transaction

from thidua.core import audit
from thidua.core.errors import DomainError, NotFound
from thidua.core.text import clean_text
from thidua.org.rules import Actor
from thidua.voting.models import Attendance, Conference
from thidua.voting.services.common import _province_id, _require_run


def _attendance_values(present, absence_reason, delegate_name) -> dict:
    """One attendance row's new values, checked (RULES.md 28, 40: an absence has a reason)."""
    reason = clean_text(absence_reason, "Lý do vắng", 300, required=False)
    delegate = clean_text(delegate_name, "Tên đại biểu", 200, required=False)
    if not isinstance(present, bool):
        raise DomainError("Chọn có mặt hoặc vắng mặt.")
    if not present and not reason:
        raise DomainError("Đơn vị vắng mặt phải ghi lý do vắng.")
    return {"present": present, "absence_reason": "" if present else reason,
            "delegate_name": delegate}


def _attendance_state(row: Attendance) -> dict:
    return {"present": row.present, "absence_reason": row.absence_reason,
            "delegate_name": row.delegate_name}


@transaction.atomic
def record_attendance(actor: Actor, conference: Conference, unit_id: int, *, present: bool,
                      absence_reason: str = "", delegate_name: str = "") -> Attendance:
    _require_run(actor, conference)
    row = (Attendance.objects.select_for_update()
           .filter(conference=conference, unit_id=unit_id).first())
    if row is None:
        raise NotFound("Đơn vị này không phải thành viên của khối trong năm.")
    values = _attendance_values(present, absence_reason, delegate_name)
    before = _attendance_state(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    audit.record(actor, "voting.attendance.record", row, province_id=_province_id(conference),
                 before=before, after={"unit": unit_id, **_attendance_state(row)})
    return row


@dataclass(frozen=True)
class RollCallRow:
    unit_id: int
    present: bool
    absence_reason: str = ""
    delegate_name: str = ""


@transaction.atomic
def record_roll_call(actor: Actor, conference: Conference, rows, *,
                     all_present: bool = False) -> list[Attendance]:
    """The whole roll call in one save (RULES.md 28, 40): for each member unit given in
    `rows`, present or absent with its reason, and its delegates' names; `all_present`
    marks every member not given present, keeping the names already recorded. Every row
    is checked before anything is written — one wrong row and nothing is saved, each
    problem named with its unit. One audit event lists the rows that changed. Returns
    the attendance of every member, by unit name."""
    _require_run(actor, conference)
    current = {a.unit_id: a for a in Attendance.objects.select_for_update(of=("self",))
               .filter(conference=conference).select_related("unit")
               .order_by("unit__sort_key", "unit_id")}
    given, errors = {}, []
    for row in rows:
        if not isinstance(row.unit_id, int) or row.unit_id not in current:
            raise NotFound("Đơn vị được điểm danh không phải thành viên của khối trong năm.")
        if row.unit_id in given:
            raise DomainError(f"{current[row.unit_id].unit.name} được điểm danh hai lần trong "
                              "cùng một lần lưu.")
        try:
            given[row.unit_id] = _attendance_values(row.present, row.absence_reason,
                                                    row.delegate_name)
        except DomainError as exc:
            errors += [f"{current[row.unit_id].unit.name}: {m}" for m in exc.messages]
    if errors:
        raise DomainError(*errors)
    before, after, changed = {}, {}, []
    for unit_id, attendance in current.items():
        values = given.get(unit_id)
        if values is None and all_present:
            values = {"present": True, "absence_reason": "",
                      "delegate_name": attendance.delegate_name}
        if values is None or values == _attendance_state(attendance):
            continue
        before[unit_id] = _attendance_state(attendance)
        for name, value in values.items():
            setattr(attendance, name, value)
        after[unit_id] = values
        changed.append(attendance)
    if changed:
        Attendance.objects.bulk_update(changed, ["present", "absence_reason", "delegate_name"])
        audit.record(actor, "voting.attendance.roll_call", conference,
                     province_id=_province_id(conference), before=before, after=after)
    return list(current.values())
