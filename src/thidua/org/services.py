"""Organisation services: the imperative shell around org.domain (load, check, write, audit)."""

import datetime
import re

from django.db import IntegrityError, transaction

from thidua.core import audit
from thidua.core.dates import short_date
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.text import clean_text, tidy
from thidua.law.rulebooks import RulebookNotFound, registration_deadline
from thidua.org import lineage
from thidua.org.domain.composition import Composition, composition_errors
from thidua.org.domain.phases import (
    ORDER,
    Phase,
    PhaseError,
    PhaseForbidden,
    check_transition,
)
from thidua.org.former import require_active
from thidua.org.models import (
    Bloc,
    BlocYear,
    EmulationYear,
    Membership,
    Province,
    Role,
    RoleAssignment,
    Unit,
)
from thidua.org.rules import Actor, bloc_year_roles, can_set_up_province


def default_registration_deadline(province, year: int) -> datetime.date:
    """RULES.md 7: the deadline the rulebook in force gives (31/3 in the shipped ones);
    31/3 too for a year no rulebook covers (before Law 06/2022 took effect). The province
    may then set another date on the year itself."""
    try:
        return registration_deadline(province.code, year)
    except RulebookNotFound:
        return datetime.date(year, 3, 31)


def ensure_year(actor, province, year: int, deadline=None) -> EmulationYear:
    if not can_set_up_province(actor, province.id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được mở năm thi đua.")
    require_active(province.id)
    emulation_year, created = EmulationYear.objects.get_or_create(
        province=province,
        year=year,
        defaults={
            "registration_deadline": deadline or default_registration_deadline(province, year)
        },
    )
    if created:
        audit.record(actor, "org.year.create", emulation_year, province_id=province.id,
                     after={"year": year,
                            "registration_deadline": emulation_year.registration_deadline})
    return emulation_year


def bloc_year_snapshot(bloc_year: BlocYear) -> dict:
    return {
        "phase": bloc_year.phase,
        "leader_unit": bloc_year.leader_unit_id,
        "deputy_units": sorted(bloc_year.deputy_units.values_list("id", flat=True)),
        "members": sorted(bloc_year.memberships.values_list("unit_id", flat=True)),
    }


@transaction.atomic
def create_bloc_year(actor, bloc: Bloc, emulation_year: EmulationYear, *, members, leader,
                     deputies) -> BlocYear:
    """A bloc's year with its members, leader and deputies (RULES.md 1, 2, 5), checked
    whole before anything is written."""
    if not can_set_up_province(actor, bloc.province_id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được lập danh sách khối.")
    require_active(bloc.province_id)
    if bloc.province_id != emulation_year.province_id:
        raise DomainError("Khối và năm thi đua phải thuộc cùng một tỉnh.")
    if BlocYear.objects.filter(bloc=bloc, emulation_year=emulation_year).exists():
        raise Conflict(f"{bloc.display_name} đã có danh sách năm {emulation_year.year}.")
    member_ids = frozenset(u.id if isinstance(u, Unit) else u for u in members)
    deputy_ids = frozenset(u.id if isinstance(u, Unit) else u for u in deputies)
    leader_id = leader.id if isinstance(leader, Unit) else leader
    units = Unit.objects.filter(id__in=member_ids | deputy_ids | {leader_id})
    names = {u.id: u.name for u in units}
    unknown = (member_ids | deputy_ids | ({leader_id} - {None})) - names.keys()
    if unknown or any(u.province_id != bloc.province_id for u in units):
        raise DomainError("Có đơn vị không tồn tại hoặc không thuộc tỉnh của khối.")
    taken = {
        m.unit_id: m.bloc_year.bloc.display_name
        for m in Membership.objects.filter(
            emulation_year=emulation_year, unit_id__in=member_ids
        ).select_related("bloc_year__bloc")
    }
    province = bloc.province
    errors = composition_errors(
        Composition(member_ids, leader_id, deputy_ids),
        min_size=province.min_bloc_size, max_size=province.max_bloc_size,
        names=names, taken=taken,
    )
    errors += lineage.membership_errors(member_ids, emulation_year.year, names)
    if errors:
        raise DomainError(*errors)
    try:
        with transaction.atomic():
            bloc_year = BlocYear.objects.create(
                bloc=bloc, emulation_year=emulation_year, leader_unit_id=leader_id
            )
            bloc_year.deputy_units.set(deputy_ids)
            Membership.objects.bulk_create(
                Membership(bloc_year=bloc_year, unit_id=unit_id,
                           emulation_year_id=emulation_year.id)
                for unit_id in sorted(member_ids)
            )
    except IntegrityError as exc:  # a concurrent request took a unit first (RULES.md 1)
        raise Conflict("Một đơn vị vừa được xếp vào khối khác trong năm này; hãy tải lại.") \
            from exc
    audit.record(actor, "org.bloc_year.create", bloc_year, province_id=province.id,
                 after=bloc_year_snapshot(bloc_year))
    return bloc_year


def lock_for_move(actor: Actor, bloc_year: BlocYear, target: str, reason: str = ""
                  ) -> BlocYear:
    """The bloc year, locked for the rest of the transaction, once the state machine and
    the actor's role allow moving it to `target` (Forbidden 403, else Conflict 409)."""
    locked = BlocYear.objects.select_for_update().select_related("bloc").get(pk=bloc_year.pk)
    try:
        check_transition(locked.phase, target, bloc_year_roles(actor, locked), reason)
    except PhaseForbidden as exc:
        raise Forbidden(str(exc)) from exc
    except PhaseError as exc:
        raise Conflict(str(exc)) from exc
    return locked


@transaction.atomic
def move_phase(actor: Actor, bloc_year: BlocYear, target: str, reason: str = "", *,
               gaps_confirmed: list[str] | None = None) -> BlocYear:
    """Move a bloc year to another phase if the state machine and the actor's role allow.

    This is the move itself; what the move leaves undone is read above the apps that
    own it (guidance.services.move_phase: the page's and the API's move, asking the person
    to confirm the gaps). `gaps_confirmed`: those gaps, kept in the audit event."""
    locked = lock_for_move(actor, bloc_year, target, reason)
    before = locked.phase
    locked.phase = target
    locked.save(update_fields=["phase"])
    after = {"phase": target, **({"gaps_confirmed": gaps_confirmed} if gaps_confirmed else {})}
    audit.record(actor, "org.bloc_year.phase", locked, province_id=locked.bloc.province_id,
                 before={"phase": before}, after=after, reason=reason.strip())
    bloc_year.phase = target
    return locked


def follow_phase(actor: Actor, bloc_year: BlocYear, target: str, reason: str) -> bool:
    """Move the bloc year to `target` because a step elsewhere (the proposal sent, the
    decision recorded) puts it there; call it inside that step's transaction. Idempotent:
    a bloc year already at `target` or beyond stays where it is (False). From the phase
    just before `target` it moves like `move_phase` (the actor's role checked, one audit
    event carrying `reason`); from further back it refuses: the phases of the year are
    not skipped silently."""
    locked = BlocYear.objects.select_for_update().select_related("bloc").get(pk=bloc_year.pk)
    order = ORDER.index
    if order(Phase(locked.phase)) >= order(Phase(target)):
        return False
    if order(Phase(locked.phase)) + 1 != order(Phase(target)):
        raise Conflict(f"{locked.bloc.display_name} đang ở giai đoạn “"
                       f"{Phase(locked.phase).label}”: chưa thể chuyển sang “"
                       f"{Phase(target).label}”.")
    move_phase(actor, locked, target, reason)
    bloc_year.phase = target
    return True


@transaction.atomic
def grant_leader_officers(actor: Actor, bloc_year: BlocYear) -> list:
    """The officers of the bloc year's leader unit (its UNIT_OFFICER accounts) become the
    bloc year's leader officers (BLOC_LEADER_OFFICER, scoped to this bloc year only: a
    leader of an earlier year keeps that year and gets nothing of this one). Idempotent:
    an officer who holds the role already is left alone. One audit event per grant.
    Returns the users granted now."""
    _require_setup(actor, bloc_year.bloc.province_id,
                   "Chỉ Thường trực thi đua tỉnh được phân quyền Trưởng khối.")
    held = set(RoleAssignment.objects.filter(
        role=Role.BLOC_LEADER_OFFICER, bloc_year=bloc_year).values_list("user_id", flat=True))
    granted = []
    for assignment in RoleAssignment.objects.filter(
            role=Role.UNIT_OFFICER, unit_id=bloc_year.leader_unit_id,
            user__is_active=True).select_related("user").order_by("user_id"):
        user = assignment.user
        if user.id in held:
            continue
        held.add(user.id)
        role = RoleAssignment.objects.create(user=user, role=Role.BLOC_LEADER_OFFICER,
                                             bloc_year=bloc_year)
        audit.record(actor, "org.role.grant", role, province_id=bloc_year.bloc.province_id,
                     after={"user": user.id, "role": Role.BLOC_LEADER_OFFICER.value,
                            "bloc_year": bloc_year.id, "unit": bloc_year.leader_unit_id})
        granted.append(user)
    return granted


# --- setting up a province: units, blocs, years, bloc size ---------------------------------
#
# Each service checks the actor, cleans the text (NFC, spaces collapsed), refuses what
# would be ambiguous (a code or a name already used in the province) with a sentence
# naming it, writes in one transaction and leaves one audit event with before/after.
# Nothing is written when a check fails; a change to the same value writes nothing.

CODE_MAX, NAME_MAX, SHORT_NAME_MAX = 20, 300, 120  # the columns
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MIN_YEAR, MAX_YEAR = 1900, 9999
# RULES.md 2 needs a leader and a deputy, so no bloc can have fewer than two members; the
# ceiling is a sanity bound (a bloc votes in one meeting room), far above practice (15).
BLOC_SIZE_FLOOR, BLOC_SIZE_CEILING = 2, 200


def _require_setup(actor, province_id: int, message: str):
    if not can_set_up_province(actor, province_id):
        raise Forbidden(message)
    require_active(province_id)


def clean_code(value) -> str:
    """Codes are short ASCII identifiers other systems quote; stored upper-case so that
    "kt1" and "KT1" cannot name two different units."""
    code = tidy(value)
    if not code:
        raise DomainError("Mã không được để trống.")
    if len(code) > CODE_MAX or not _CODE.fullmatch(code):
        raise DomainError(f"Mã “{code[:CODE_MAX + 10]}” không hợp lệ: chỉ gồm chữ cái không "
                          f"dấu, chữ số và các dấu . _ - (tối đa {CODE_MAX} ký tự).")
    return code.upper()


def _refuse_duplicates(rows, noun: str, *, code=None, name=None, exclude=None):
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    errors = []
    if code is not None:
        holder = rows.filter(code__iexact=code).first()
        if holder is not None:
            errors.append(f"Mã “{code}” đã được dùng cho {noun} “{holder.name}”.")
    if name is not None:
        holder = rows.filter(name=name).first()
        if holder is not None:
            errors.append(f"Tỉnh đã có {noun} tên “{name}” (mã {holder.code}).")
    if errors:
        raise Conflict(*errors)


def _insert(model, duplicate_message: str, **fields):
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError as exc:  # a concurrent request took the code between check and write
        raise Conflict(duplicate_message) from exc


def unit_snapshot(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name}


def bloc_snapshot(bloc: Bloc) -> dict:
    return {"code": bloc.code, "name": bloc.name, "short_name": bloc.short_name,
            "kind": bloc.kind}


@transaction.atomic
def create_unit(actor, province: Province, *, code: str, name: str) -> Unit:
    """A member agency of the province (not yet in any bloc)."""
    _require_setup(actor, province.id, "Chỉ Thường trực thi đua tỉnh được thêm đơn vị.")
    code, name = clean_code(code), clean_text(name, "Tên đơn vị", NAME_MAX)
    _refuse_duplicates(Unit.objects.filter(province=province), "đơn vị", code=code, name=name)
    unit = _insert(Unit, f"Mã “{code}” vừa được dùng cho một đơn vị khác; hãy tải lại.",
                   province=province, code=code, name=name)
    audit.record(actor, "org.unit.create", unit, province_id=province.id,
                 after=unit_snapshot(unit))
    return unit


@transaction.atomic
def rename_unit(actor, unit: Unit, *, name: str) -> Unit:
    """A new name (agencies are renamed and merged); the code stays, other systems and
    past documents quote it."""
    _require_setup(actor, unit.province_id, "Chỉ Thường trực thi đua tỉnh được đổi tên đơn vị.")
    name = clean_text(name, "Tên đơn vị", NAME_MAX)
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    if locked.name == name:
        return locked
    _refuse_duplicates(Unit.objects.filter(province_id=locked.province_id), "đơn vị",
                       name=name, exclude=locked.pk)
    before = unit_snapshot(locked)
    locked.name = name
    locked.save(update_fields=["name"])
    audit.record(actor, "org.unit.rename", locked, province_id=locked.province_id,
                 before=before, after=unit_snapshot(locked))
    return locked


def _clean_kind(kind) -> str:
    if kind not in Bloc.Kind.values:
        raise DomainError("Loại phải là “khoi” (Khối thi đua) hoặc “cum” (Cụm thi đua).")
    return kind


@transaction.atomic
def create_bloc(actor, province: Province, *, code: str, name: str, kind: str,
                short_name: str = "") -> Bloc:
    """A khối (agencies of similar functions) or cụm (territorial units) of the province."""
    _require_setup(actor, province.id, "Chỉ Thường trực thi đua tỉnh được thêm khối, cụm.")
    code, name = clean_code(code), clean_text(name, "Tên khối, cụm", NAME_MAX)
    short_name = clean_text(short_name, "Tên ngắn", SHORT_NAME_MAX, required=False)
    kind = _clean_kind(kind)
    _refuse_duplicates(Bloc.objects.filter(province=province), "khối, cụm", code=code,
                       name=name)
    bloc = _insert(Bloc, f"Mã “{code}” vừa được dùng cho một khối, cụm khác; hãy tải lại.",
                   province=province, code=code, name=name, kind=kind, short_name=short_name)
    audit.record(actor, "org.bloc.create", bloc, province_id=province.id,
                 after=bloc_snapshot(bloc))
    return bloc


@transaction.atomic
def rename_bloc(actor, bloc: Bloc, *, name: str, short_name: str = "") -> Bloc:
    """A new name and short name; the code and the kind stay (past years keep them)."""
    _require_setup(actor, bloc.province_id, "Chỉ Thường trực thi đua tỉnh được đổi tên khối, cụm.")
    name = clean_text(name, "Tên khối, cụm", NAME_MAX)
    short_name = clean_text(short_name, "Tên ngắn", SHORT_NAME_MAX, required=False)
    locked = Bloc.objects.select_for_update().get(pk=bloc.pk)
    if (locked.name, locked.short_name) == (name, short_name):
        return locked
    _refuse_duplicates(Bloc.objects.filter(province_id=locked.province_id), "khối, cụm",
                       name=name, exclude=locked.pk)
    before = bloc_snapshot(locked)
    locked.name, locked.short_name = name, short_name
    locked.save(update_fields=["name", "short_name"])
    audit.record(actor, "org.bloc.rename", locked, province_id=locked.province_id,
                 before=before, after=bloc_snapshot(locked))
    return locked


def check_deadline(year: int, deadline: datetime.date):
    """RULES.md 7: the deadline is a day of the emulation year itself."""
    if deadline.year != year:
        raise DomainError(
            f"Hạn đăng ký thi đua phải nằm trong năm thi đua {year} (từ 01/01/{year} đến "
            f"31/12/{year}); ngày đã nhập là {short_date(deadline)} (Quy tắc 7).")


@transaction.atomic
def create_year(actor, province: Province, year: int,
                registration_deadline: datetime.date | None = None) -> EmulationYear:
    """Open an emulation year, refusing one that exists (unlike `ensure_year`, which the
    loaders use and which returns it): a person asking twice should be told."""
    _require_setup(actor, province.id, "Chỉ Thường trực thi đua tỉnh được mở năm thi đua.")
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(f"Năm thi đua phải là một năm từ {MIN_YEAR} đến {MAX_YEAR}.")
    deadline = registration_deadline or default_registration_deadline(province, year)
    check_deadline(year, deadline)
    if EmulationYear.objects.filter(province=province, year=year).exists():
        raise Conflict(f"{province.name} đã có năm thi đua {year}.")
    emulation_year = _insert(EmulationYear, f"{province.name} vừa mở năm thi đua {year}.",
                             province=province, year=year, registration_deadline=deadline)
    audit.record(actor, "org.year.create", emulation_year, province_id=province.id,
                 after={"year": year, "registration_deadline": deadline})
    return emulation_year


@transaction.atomic
def set_registration_deadline(actor, emulation_year: EmulationYear,
                              deadline: datetime.date) -> EmulationYear:
    """Move the year's registration deadline (RULES.md 7). Whether a registration was on
    time is judged against the deadline in force when it is read, so the audit event is
    the record of which deadline applied when."""
    _require_setup(actor, emulation_year.province_id,
                   "Chỉ Thường trực thi đua tỉnh được đổi hạn đăng ký thi đua.")
    locked = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
    check_deadline(locked.year, deadline)
    if locked.registration_deadline == deadline:
        return locked
    before = {"registration_deadline": locked.registration_deadline}
    locked.registration_deadline = deadline
    locked.save(update_fields=["registration_deadline"])
    audit.record(actor, "org.year.deadline", locked, province_id=locked.province_id,
                 before=before, after={"registration_deadline": deadline})
    emulation_year.registration_deadline = deadline
    return locked


@transaction.atomic
def set_bloc_registration_deadline(actor, bloc_year: BlocYear, deadline: datetime.date | None,
                                   reason: str = "") -> BlocYear:
    """RULES.md 7: a bloc's own registration deadline, for a bloc formed during the year
    (after the mergers of 1/7/2025 its members could not register by 31/3); None goes back
    to the year's. The reason (the decision forming the bloc …) is kept in the audit."""
    _require_setup(actor, bloc_year.bloc.province_id,
                   "Chỉ Thường trực thi đua tỉnh được đặt hạn đăng ký riêng của khối.")
    locked = BlocYear.objects.select_for_update().select_related(
        "emulation_year", "bloc").get(pk=bloc_year.pk)
    if deadline is not None:
        check_deadline(locked.emulation_year.year, deadline)
    reason = tidy(reason if isinstance(reason, str) else "")
    if deadline is not None and not reason:
        raise DomainError("Cần ghi lý do khối có hạn đăng ký riêng (ví dụ: khối thành lập theo "
                          "Quyết định số …, ngày …).")
    if len(reason) > 2000:
        raise DomainError("Lý do dài quá 2000 ký tự.")
    if locked.registration_deadline == deadline:
        return locked
    before = {"registration_deadline": locked.registration_deadline}
    locked.registration_deadline = deadline
    locked.save(update_fields=["registration_deadline"])
    audit.record(actor, "org.bloc_year.deadline", locked,
                 province_id=locked.bloc.province_id, before=before,
                 after={"registration_deadline": deadline,
                        "effective": locked.effective_registration_deadline}, reason=reason)
    bloc_year.registration_deadline = deadline
    return locked


@transaction.atomic
def set_province_kind(actor, province: Province, kind: str) -> Province:
    """Tỉnh or thành phố trực thuộc trung ương (6 of the 34 from 1/7/2025): every label
    naming the authority follows it — documents, award-form names on the pages,
    eligibility sentences (LEGAL-REVIEW.md R2)."""
    _require_setup(actor, province.id,
                   "Chỉ Thường trực thi đua tỉnh được đặt loại đơn vị hành chính.")
    if kind not in Province.Kind.values:
        raise DomainError("Loại đơn vị hành chính phải là «Tỉnh» hoặc «Thành phố trực thuộc "
                          "trung ương».")
    locked = Province.objects.select_for_update().get(pk=province.pk)
    if locked.kind == kind:
        return locked
    before = {"kind": locked.kind}
    locked.kind = kind
    locked.save(update_fields=["kind"])
    audit.record(actor, "org.province.kind", locked, province_id=locked.id, before=before,
                 after={"kind": kind})
    province.kind = kind
    return locked


@transaction.atomic
def set_bloc_size_range(actor, province: Province, *, min_size: int,
                        max_size: int) -> Province:
    """RULES.md 5: how many members a bloc year may have. Bloc years already made keep
    their members; the range is checked when a bloc year is made."""
    _require_setup(actor, province.id,
                   "Chỉ Thường trực thi đua tỉnh được đặt số thành viên của khối.")
    for value in (min_size, max_size):
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainError("Số thành viên phải là số nguyên.")
    errors = []
    if min_size < BLOC_SIZE_FLOOR:
        errors.append(f"Số thành viên tối thiểu phải từ {BLOC_SIZE_FLOOR} trở lên: khối có "
                      "một Trưởng khối và ít nhất một Phó khối (Quy tắc 2).")
    if max_size > BLOC_SIZE_CEILING:
        errors.append(f"Số thành viên tối đa không được quá {BLOC_SIZE_CEILING}.")
    if min_size > max_size:
        errors.append(f"Số thành viên tối thiểu ({min_size}) không được lớn hơn số tối đa "
                      f"({max_size}).")
    if errors:
        raise DomainError(*errors)
    locked = Province.objects.select_for_update().get(pk=province.pk)
    before = {"min_bloc_size": locked.min_bloc_size, "max_bloc_size": locked.max_bloc_size}
    after = {"min_bloc_size": min_size, "max_bloc_size": max_size}
    if before == after:
        return locked
    locked.min_bloc_size, locked.max_bloc_size = min_size, max_size
    locked.save(update_fields=["min_bloc_size", "max_bloc_size"])
    audit.record(actor, "org.province.bloc_size", locked, province_id=locked.id,
                 before=before, after=after)
    province.min_bloc_size, province.max_bloc_size = min_size, max_size
    return locked
