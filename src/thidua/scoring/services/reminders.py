"""Reminders of what is missing: which units have sheets to finish, and the mail that
tells them."""

import datetime
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import Conflict
from thidua.org.models import BlocYear, Role, RoleAssignment, Unit
from thidua.org.rules import Actor
from thidua.scoring.models import (
    CriteriaTable,
    PeerAssignment,
    Reminder,
    ScoreSheet,
)
from thidua.scoring.services.common import Kind, Status, province_id_of, require_runner, user_of
from thidua.scoring.services.tables import current_table


@dataclass(frozen=True)
class ReminderOutcome:
    sent: list  # Reminder rows written (one e-mail each)
    too_soon: list  # units reminded less than the interval ago (nothing sent)
    no_address: list  # units with something missing but no officer e-mail address


def missing_by_unit(bloc_year: BlocYear, table: CriteriaTable) -> dict[int, list[str]]:
    """What each member still has to do, in sentences: its self-assessment, then each
    peer sheet it was assigned, in the order of the scored units' names. Statuses only
    (sheets stay sealed). Units with nothing missing are left out. Three queries."""
    members = {u.id: u for u in Unit.objects.filter(memberships__bloc_year=bloc_year)}
    own, peer = {}, {}
    for kind, scored, scorer, state in ScoreSheet.objects.filter(table=table).values_list(
            "kind", "scored_unit_id", "scorer_unit_id", "status"):
        if kind == Kind.SELF:
            own[scored] = state
        elif kind == Kind.PEER:
            peer[(scorer, scored)] = state
    missing: dict[int, list[str]] = {}
    for unit in sorted(members.values(), key=lambda u: u.sort_key):
        state = own.get(unit.id)
        if state != Status.SUBMITTED:
            missing.setdefault(unit.id, []).append(
                "Phiếu tự chấm điểm: " + ("đang chấm, chưa gửi." if state else "chưa mở."))
    assignments = sorted(PeerAssignment.objects.filter(table=table).values_list(
        "scorer_unit_id", "scored_unit_id"), key=lambda a: (members[a[1]].sort_key
                                                            if a[1] in members else ""))
    for scorer, scored in assignments:
        state = peer.get((scorer, scored))
        if scorer in members and scored in members and state != Status.SUBMITTED:
            missing.setdefault(scorer, []).append(
                f"Phiếu chấm chéo {members[scored].name}: "
                + ("đang chấm, chưa gửi." if state else "chưa chấm."))
    return missing


def reminder_mail(bloc_year: BlocYear, unit: Unit, missing: list[str], link: str
                  ) -> tuple[str, str]:
    """Subject and body of the reminder e-mail (Vietnamese, plain text)."""
    bloc, year = bloc_year.bloc.name, bloc_year.emulation_year.year
    lines = [f"Kính gửi cán bộ thi đua {unit.name},", "",
             f"Đến nay đơn vị còn thiếu các phiếu chấm điểm sau trong {bloc} năm {year}:"]
    lines += [f"- {item}" for item in missing]
    if link:
        lines += ["", f"Đề nghị đơn vị hoàn thành và gửi phiếu tại: {link}"]
    leader = bloc_year.leader_unit.name if bloc_year.leader_unit_id else ""
    lines += ["", f"Đơn vị Trưởng khối{': ' + leader if leader else ''}."]
    return f"Nhắc nhở chấm điểm thi đua — {bloc} năm {year}", "\n".join(lines) + "\n"


def send_reminders(actor: Actor, bloc_year: BlocYear, *, link: str = "") -> ReminderOutcome:
    """E-mail each member unit's officers what it is still missing (RULES.md 13: statuses
    only, never a sealed sheet's scores), record each reminder and audit it. A unit
    reminded less than SCORING_REMINDER_INTERVAL_HOURS ago is skipped. The bloc year row
    is locked, so two clicks at once cannot both send. If the mail server refuses, the
    error propagates and nothing is recorded."""
    from django.core import mail

    require_runner(actor, bloc_year, "gửi nhắc nhở")
    with transaction.atomic():
        bloc_year = (BlocYear.objects.select_for_update(of=("self",))
                     .select_related("bloc__province", "emulation_year", "leader_unit")
                     .get(pk=bloc_year.pk))
        table = current_table(bloc_year)
        if table is None:
            raise Conflict("Khối chưa có bảng tiêu chí chấm điểm năm này.")
        missing = missing_by_unit(bloc_year, table)
        now = timezone.now()
        since = now - datetime.timedelta(hours=django_settings.SCORING_REMINDER_INTERVAL_HOURS)
        recent = set(Reminder.objects.filter(bloc_year=bloc_year, unit_id__in=list(missing),
                                             sent_at__gt=since).values_list("unit_id", flat=True))
        addresses: dict[int, list[str]] = {}
        for unit_id, email in (RoleAssignment.objects.filter(
                role=Role.UNIT_OFFICER, unit_id__in=list(missing), user__is_active=True)
                .exclude(user__email="").order_by("user__email")
                .values_list("unit_id", "user__email")):
            if email not in addresses.setdefault(unit_id, []):
                addresses[unit_id].append(email)
        units = Unit.objects.in_bulk(list(missing))
        outcome = ReminderOutcome([], [], [])
        messages = []
        for unit_id, items in missing.items():
            unit = units[unit_id]
            if unit_id in recent:
                outcome.too_soon.append(unit)
                continue
            if not addresses.get(unit_id):
                outcome.no_address.append(unit)
                continue
            reminder = Reminder.objects.create(
                bloc_year=bloc_year, unit=unit, sent_at=now, sent_by=user_of(actor),
                recipients=addresses[unit_id], missing=items)
            audit.record(actor, "scoring.reminder.send", reminder,
                         province_id=province_id_of(bloc_year),
                         after={"unit": unit.code, "recipients": reminder.recipients,
                                "missing": items})
            subject, body = reminder_mail(bloc_year, unit, items, link)
            messages.append(mail.EmailMessage(subject, body, to=reminder.recipients))
            outcome.sent.append(reminder)
        if messages:
            mail.mailers.default.send_messages(messages)
    return outcome
