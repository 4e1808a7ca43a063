"""Score sheets: self-assessment and peer sheets, entering scores with evidence
(RULES.md 12), submitting."""

from dataclasses import replace
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.core.evidence import check_files, storing
from thidua.core.text import nfc, tidy
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import Actor
from thidua.scoring import rules
from thidua.scoring.domain.methods import (
    IMPORTED,
    TARGET_FORMULA,
    ScoringError,
    is_computed,
    points_for,
)
from thidua.scoring.models import (
    CriteriaTable,
    PeerAssignment,
    PublishedRanking,
    Score,
    ScoreEvidence,
    ScoreSheet,
)
from thidua.scoring.services.common import Kind, Status, members_of, province_id_of, user_of
from thidua.scoring.services.computed import computed_entries, computed_values
from thidua.scoring.services.entries import Entry, Loaded, load_table, write_entries
from thidua.scoring.services.tables import locked_current_table, require_latest


def _open_sheet(actor, table: CriteriaTable, scored_unit_id: int, kind: str,
                scorer_unit_id: int | None) -> ScoreSheet:
    lookup = {"table": table, "scored_unit_id": scored_unit_id, "kind": kind,
              "scorer_unit_id": scorer_unit_id}
    sheet = ScoreSheet.objects.filter(**lookup).first()
    if sheet is not None:
        return sheet
    try:
        with transaction.atomic():
            sheet = ScoreSheet.objects.create(**lookup)
    except IntegrityError:  # opened concurrently: the other request's sheet is the one
        return ScoreSheet.objects.get(**lookup)
    loaded = load_table(table)
    sheet.table = table
    write_entries(actor, sheet, loaded, computed_entries(loaded, scored_unit_id, strict=False),
           action="scoring.score.computed")
    audit.record(actor, "scoring.sheet.open", sheet, province_id=province_id_of(table.bloc_year),
                 after={"kind": kind, "scored_unit": scored_unit_id,
                        "scorer_unit": scorer_unit_id, "table_version": table.version})
    return sheet


@transaction.atomic
def open_self_assessment(actor: Actor, bloc_year: BlocYear, unit: Unit) -> ScoreSheet:
    """The unit's self-assessment sheet, opened on first use (SELF_ASSESSMENT phase)."""
    if refusal := rules.self_assessment_refusal(actor, bloc_year, unit, members_of(bloc_year)):
        raise refusal
    table = locked_current_table(actor, bloc_year)
    return _open_sheet(actor, table, unit.id, Kind.SELF, unit.id)


@transaction.atomic
def open_peer_sheet(actor: Actor, bloc_year: BlocYear, scorer: Unit, scored: Unit
                    ) -> ScoreSheet:
    """A peer sheet of an assigned pair (APPRAISAL phase). RULES.md 13: never itself, never
    a declared conflict — only generated assignments open a sheet."""
    if refusal := rules.peer_sheet_refusal(actor, bloc_year, scorer, scored):
        raise refusal
    table = locked_current_table(actor, bloc_year)
    if not PeerAssignment.objects.filter(table=table, scorer_unit=scorer,
                                         scored_unit=scored).exists():
        raise Forbidden(f"{scorer.name} không được phân công chấm chéo {scored.name} "
                        "(Quy tắc 13).")
    return _open_sheet(actor, table, scored.id, Kind.PEER, scorer.id)


def _lock_sheet(sheet: ScoreSheet) -> ScoreSheet:
    return (ScoreSheet.objects.select_for_update(of=("self",))
            .select_related("table__bloc_year__bloc__province").get(pk=sheet.pk))


def _require_editable(actor, sheet: ScoreSheet):
    if refusal := rules.sheet_edit_refusal(actor, sheet):
        raise refusal


class SheetProblems(DomainError):
    """What is wrong with a sheet's entries, line by line: `by_code` maps a criterion code
    (or the key a forged line came with) to its sentences, so a page shows each beside its
    line. `messages` lists them all, in entry order, for the API."""

    def __init__(self, by_code: dict[str, list[str]]):
        self.by_code = by_code
        super().__init__(*[m for found in by_code.values() for m in found])
        self.fields = [f"scores.{code}" for code, found in by_code.items() for m in found if m]


# What a scorer may send beside the value of a line (set_scores' `entries`).
NOTE, SOURCE, INSUFFICIENT = "note", "source", "insufficient"


# Marks in a score's `raw`: a computed criterion entered by hand while its data is missing,
# and a peer's "không đủ căn cứ" (0 points, its reason in the note).
BY_HAND = "by_hand"


INSUFFICIENT_TEXT = "Không đủ căn cứ"


def may_enter_by_hand(kind: str, method: str) -> bool:
    """A computed criterion whose data is missing may be entered on the sheet: an imported
    figure with its source (self and peer sheets), and on a peer sheet the scorer's own
    score for a target whose progress report is missing — one unit's missing report must
    not block every sheet about it. A unit's own sheet waits for its own report."""
    if method == IMPORTED:
        return kind in (Kind.SELF, Kind.PEER)
    return method == TARGET_FORMULA and kind == Kind.PEER


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "on", "yes", "có")


def _check_entries(sheet: ScoreSheet, loaded: Loaded, entries: dict
                   ) -> tuple[dict[str, Entry], dict[str, list[str]]]:
    """Each entry checked on its own: what to write, and the problems by code. Nothing is
    written here."""
    missing = None
    problems: dict[str, list[str]] = {}
    checked: dict[str, Entry] = {}
    for code, raw in entries.items():
        code = tidy(code)
        criterion = loaded.by_code.get(code)
        if criterion is None or criterion.is_section:
            problems.setdefault(code, []).append(f"Bảng tiêu chí không có tiêu chí {code} để chấm.")
            continue
        spec = loaded.spec(code)
        raw = dict(raw)
        note = raw.pop(NOTE, None)
        note = None if note is None else tidy(note)
        source = nfc(str(raw.pop(SOURCE, "") or "").strip())
        insufficient = _truthy(raw.pop(INSUFFICIENT, ""))
        typed = {k: v for k, v in raw.items() if v not in (None, "")}
        by_hand = False
        if is_computed(criterion.scoring_method, criterion.params) and (
                sheet.kind != Kind.APPRAISAL):
            if missing is None:
                computed, missing = computed_values(loaded, sheet.scored_unit_id)
            if code in missing and may_enter_by_hand(sheet.kind, criterion.scoring_method):
                by_hand = True
            elif not typed and not insufficient and note is not None:
                # A note (or the explanation evidence asks for) beside computed points.
                if code in computed:
                    checked[code] = replace(computed[code], note=note)
                else:
                    problems.setdefault(code, []).append(
                        missing[code] + " Ghi chú được lưu khi đã tính được điểm: hãy báo cáo "
                        "kết quả thực hiện chỉ tiêu trước.")
                continue
            else:
                problems.setdefault(code, []).append(
                    f"Tiêu chí {spec.label}: được tính tự động, không nhập tay.")
                continue
        if insufficient:
            if sheet.kind != Kind.PEER:
                problems.setdefault(code, []).append(
                    f"Tiêu chí {spec.label}: chỉ phiếu chấm chéo được ghi "
                    f"“{INSUFFICIENT_TEXT}”.")
            elif typed:
                problems.setdefault(code, []).append(
                    f"Tiêu chí {spec.label}: đã chọn “{INSUFFICIENT_TEXT}” thì không nhập điểm.")
            elif not note:
                problems.setdefault(code, []).append(
                    f"Tiêu chí {spec.label}: ghi rõ lý do “{INSUFFICIENT_TEXT}” ở ô ghi chú.")
            else:
                checked[code] = Entry(Fraction(0), {INSUFFICIENT: "1"}, note)
            continue
        try:
            points = points_for(spec, raw)
        except ScoringError as exc:
            problems.setdefault(code, []).append(str(exc))
            continue
        stored = {k: str(v) for k, v in raw.items()}
        if by_hand:
            stored[BY_HAND] = "1"
            if criterion.scoring_method == IMPORTED:
                if not source:
                    problems.setdefault(code, []).append(
                        f"Tiêu chí {spec.label}: ghi rõ nguồn số liệu (hệ thống, văn bản công "
                        "bố) bên cạnh số liệu nhập.")
                    continue
                stored[SOURCE] = source
        checked[code] = Entry(points, stored, note)
    return checked, problems


def _begin_edit(actor, sheet: ScoreSheet, reason: str) -> tuple[ScoreSheet, Loaded, str]:
    sheet = _lock_sheet(sheet)
    _require_editable(actor, sheet)
    require_latest(sheet.table)
    reason = tidy(reason)
    if sheet.kind == Kind.APPRAISAL and not reason:
        raise DomainError("Thay đổi điểm khi thẩm định phải ghi rõ lý do (Quy tắc 12).")
    return sheet, load_table(sheet.table), reason


def _action(sheet: ScoreSheet) -> str:
    return "scoring.appraisal.change" if sheet.kind == Kind.APPRAISAL else "scoring.score.set"


@transaction.atomic
def set_scores(actor: Actor, sheet: ScoreSheet, entries: dict, *, reason: str = "") -> ScoreSheet:
    """Scores typed by the sheet's author: `entries` maps criterion code → raw input
    (see methods.points_for), optionally with "note"; "source" beside an imported figure
    entered by hand; "insufficient" (a peer's “không đủ căn cứ”, its reason in the note).
    All are checked before any is written; a problem raises SheetProblems, line by line.
    On an appraisal sheet every change needs `reason` (RULES.md 12)."""
    sheet, loaded, reason = _begin_edit(actor, sheet, reason)
    checked, problems = _check_entries(sheet, loaded, entries)
    if problems:
        raise SheetProblems(problems)
    write_entries(actor, sheet, loaded, checked, reason=reason, action=_action(sheet))
    return sheet


@transaction.atomic
def save_sheet(actor: Actor, sheet: ScoreSheet, entries: dict, *, files: dict | None = None,
               reason: str = "") -> ScoreSheet:
    """One save for a whole sheet: every line's entry (as set_scores) and, on a
    self-assessment, evidence files by criterion code. Everything is checked first; one
    problem anywhere and nothing is written (SheetProblems, line by line)."""
    sheet, loaded, reason = _begin_edit(actor, sheet, reason)
    checked, problems = _check_entries(sheet, loaded, entries)
    files = {tidy(code): uploads for code, uploads in (files or {}).items()}
    if files:
        scored = set(Score.objects.filter(sheet=sheet).values_list("criterion__code", flat=True))
        computed = None
        for code, uploads in files.items():
            criterion = loaded.by_code.get(code)
            if criterion is None or criterion.is_section:
                problems.setdefault(code, []).append(
                    f"Bảng tiêu chí không có tiêu chí {code} để gắn minh chứng.")
                continue
            if sheet.kind != Kind.SELF:
                problems.setdefault(code, []).append("Minh chứng chỉ gắn với phiếu tự chấm điểm.")
                continue
            problems.setdefault(code, []).extend(check_files(uploads)[1])
            if code not in scored and code not in checked:
                if computed is None:
                    computed = computed_values(loaded, sheet.scored_unit_id)[0]
                if code in computed:
                    checked[code] = computed[code]
                else:
                    problems.setdefault(code, []).append(
                        f"Tiêu chí {loaded.spec(code).label}: hãy chấm điểm trước khi gắn "
                        "minh chứng.")
    problems = {code: found for code, found in problems.items() if found}
    if problems:
        raise SheetProblems(problems)
    write_entries(actor, sheet, loaded, checked, reason=reason, action=_action(sheet))
    for code, uploads in files.items():
        attach_evidence(actor, sheet, code, uploads)
    return sheet


def attach_evidence(actor: Actor, sheet: ScoreSheet, code: str, files) -> list[ScoreEvidence]:
    """Evidence files behind a self-assessment score (RULES.md 12), checked like pledge
    evidence (type by content, size); nothing kept unless every file is accepted. `files`
    are uploads with `name` and `content` (core.evidence.Upload). A computed criterion
    (I.1's target formula) takes its files once its points can be computed."""
    sheet = ScoreSheet.objects.select_related("table__bloc_year__bloc").get(pk=sheet.pk)
    _require_editable(actor, sheet)
    if sheet.kind != Kind.SELF:
        raise DomainError("Minh chứng chỉ gắn với phiếu tự chấm điểm.")
    score = Score.objects.filter(sheet=sheet, criterion__code=code).first()
    if score is None:
        loaded = load_table(sheet.table)
        criterion = loaded.by_code.get(code)
        computed, missing = (computed_values(loaded, sheet.scored_unit_id) if criterion is not None
                             else ({}, {}))
        if code in computed:
            with transaction.atomic():
                write_entries(actor, _lock_sheet(sheet), loaded, {code: computed[code]},
                       action="scoring.score.computed")
            score = Score.objects.get(sheet=sheet, criterion__code=code)
        else:
            raise DomainError(missing.get(code) or
                              f"Hãy chấm điểm tiêu chí {code} trước khi gắn minh chứng.")
    verdicts, problems = check_files(files)
    if problems:
        raise DomainError(*problems)
    with storing(ScoreEvidence) as keep:
        created = [keep(upload, verdict, score=score, unit_id=sheet.scored_unit_id,
                        uploaded_by=user_of(actor)) for upload, verdict in verdicts]
        audit.record(actor, "scoring.evidence.add", sheet,
                     province_id=province_id_of(sheet.table.bloc_year),
                     after={"criterion": code, "evidence": [e.sha256 for e in created]})
    return created


@transaction.atomic
def submit_sheet(actor: Actor, sheet: ScoreSheet) -> ScoreSheet:
    """Submit (and so unseal) a sheet: every leaf scored, computed criteria current, and
    on a self-assessment each criterion that requires evidence has a file or a note
    (RULES.md 12). Problems are listed, criterion by criterion; nothing changes."""
    sheet = _lock_sheet(sheet)
    _require_editable(actor, sheet)
    require_latest(sheet.table)
    loaded = load_table(sheet.table)
    scores = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
    problems, told = [], set()
    if sheet.kind != Kind.APPRAISAL:  # the appraiser's corrections are not overwritten
        computed, missing = computed_values(loaded, sheet.scored_unit_id)
        for code, sentence in missing.items():
            criterion = loaded.by_code[code]
            if not may_enter_by_hand(sheet.kind, criterion.scoring_method):
                problems.append(sentence)
                told.add(code)
            elif criterion.id not in scores:  # entered by hand, or "không đủ căn cứ"
                problems.append(sentence + (
                    " Hãy nhập số liệu và ghi nguồn." if criterion.scoring_method == IMPORTED
                    else "") + (f" Có thể ghi “{INSUFFICIENT_TEXT}” kèm lý do."
                                if sheet.kind == Kind.PEER else ""))
                told.add(code)
        # Rolled back with the rest if anything below is refused.
        write_entries(actor, sheet, loaded, computed, action="scoring.score.computed")
        scores = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
    with_evidence = set(ScoreEvidence.objects.filter(score__sheet=sheet)
                        .values_list("score__criterion_id", flat=True))
    for criterion in loaded.leaves:
        score = scores.get(criterion.id)
        label = loaded.spec(criterion.code).label
        if criterion.code in told:
            continue
        if score is None:
            problems.append(f"Tiêu chí {label}: chưa chấm điểm.")
        elif (sheet.kind == Kind.SELF and criterion.evidence_required
              and criterion.id not in with_evidence and not score.note.strip()):
            problems.append(f"Tiêu chí {label}: cần tệp minh chứng hoặc ghi chú giải trình "
                            "(Quy tắc 12).")
    if problems:
        raise DomainError(*problems)
    sheet.status = Status.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.submitted_by = user_of(actor)
    sheet.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit.record(actor, "scoring.sheet.submit", sheet,
                 province_id=province_id_of(sheet.table.bloc_year),
                 before={"status": Status.DRAFT},
                 after={"status": sheet.status, "total": sheet.total, "bonus": sheet.bonus,
                        "penalty": sheet.penalty, "final": sheet.final})
    return sheet


def find_sheet(actor: Actor, sheet_id: int) -> ScoreSheet:
    """A sheet this actor may read (sealed sheets of others are simply not found)."""
    sheet = (ScoreSheet.objects.select_related("table__bloc_year__bloc__province",
                                               "scored_unit", "scorer_unit")
             .filter(pk=sheet_id).first())
    if sheet is None or not rules.can_view_sheet(actor, sheet, is_published(sheet.table)):
        raise NotFound("Không tìm thấy phiếu chấm.")
    return sheet


def is_published(table: CriteriaTable) -> bool:
    return PublishedRanking.objects.filter(table=table).exists()
