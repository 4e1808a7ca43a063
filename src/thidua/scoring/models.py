"""Scoring: criteria tables, score sheets, evidence, cross-scoring assignments, appraisal
changes and published rankings.

Fields and constraints only; the rules live in scoring.domain, applied by
scoring.services. Points are exact hundredths (DecimalField, 2 places). A sheet's totals
are kept current by the service in the transaction that changes a score, so no page
rescans the cells (DESIGN.md "Speed by design").
"""

import uuid
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from thidua.core.dates import short_moment
from thidua.org.models import BlocYear, Unit
from thidua.scoring.domain import methods

POINTS = {"max_digits": 6, "decimal_places": 2}
# A sheet's sums: bonus and penalty leaves may add up past a single criterion's range.
SUM = {"max_digits": 9, "decimal_places": 2}


class CriteriaTable(models.Model):
    """One version of a bloc year's criteria table. The current one is the highest
    version; a locked version never changes (a change needs a new version and a reason)."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.PROTECT,
                                  related_name="criteria_tables")
    version = models.PositiveSmallIntegerField("phiên bản", default=1)
    name = models.CharField("tên bảng", max_length=300)
    total = models.DecimalField("tổng điểm", **POINTS)
    is_locked = models.BooleanField("đã khóa", default=False)
    locked_at = models.DateTimeField("ngày khóa", null=True, blank=True)
    reason = models.TextField("lý do lập phiên bản mới", blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["bloc_year_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "version"], name="table_version_unique"),
        ]
        verbose_name = "bảng tiêu chí chấm điểm"
        verbose_name_plural = "bảng tiêu chí chấm điểm"

    def __str__(self):
        return f"{self.name} (phiên bản {self.version})"


class Criterion(models.Model):
    """A section (nhóm tiêu chí) or a leaf criterion with its scoring method."""

    class Method(models.TextChoices):
        GRADED = methods.GRADED, methods.METHOD_LABELS[methods.GRADED]
        FREE = methods.FREE, methods.METHOD_LABELS[methods.FREE]
        DEDUCTION = methods.DEDUCTION, methods.METHOD_LABELS[methods.DEDUCTION]
        COUNT = methods.COUNT, methods.METHOD_LABELS[methods.COUNT]
        TARGET_FORMULA = methods.TARGET_FORMULA, methods.METHOD_LABELS[methods.TARGET_FORMULA]
        IMPORTED = methods.IMPORTED, methods.METHOD_LABELS[methods.IMPORTED]
        BONUS = methods.BONUS, methods.METHOD_LABELS[methods.BONUS]
        PENALTY = methods.PENALTY, methods.METHOD_LABELS[methods.PENALTY]

    table = models.ForeignKey(CriteriaTable, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    code = models.CharField("mã", max_length=20)
    title = models.CharField("tên tiêu chí", max_length=500)
    is_section = models.BooleanField("là nhóm tiêu chí", default=False)
    max_points = models.DecimalField("điểm chuẩn", **POINTS)
    scoring_method = models.CharField("phương pháp chấm", max_length=20, blank=True,
                                      choices=Method.choices)
    # Method parameters: grades (list), per_item, cap, indicator (target formula).
    params = models.JSONField("tham số", default=dict, blank=True)
    evidence_required = models.BooleanField("yêu cầu minh chứng", default=False)
    position = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["table_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="criterion_code_unique"),
            models.CheckConstraint(name="criterion_max_not_negative",
                                   condition=Q(max_points__gte=0)),
        ]
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"

    def __str__(self):
        return f"{self.code}. {self.title}"

    def spec(self, parent_code=None) -> methods.CriterionSpec:
        return methods.CriterionSpec(
            code=self.code, title=self.title, is_section=self.is_section,
            max_points=Fraction(self.max_points), method=self.scoring_method,
            params=self.params or {}, parent=parent_code,
            evidence_required=self.evidence_required)


class ScoreSheet(models.Model):
    """One scorer's sheet for one scored unit (phiếu chấm)."""

    class Kind(models.TextChoices):
        SELF = "self", "Tự chấm điểm"
        PEER = "peer", "Chấm chéo"
        APPRAISAL = "appraisal", "Thẩm định"

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang chấm"
        SUBMITTED = "submitted", "Đã gửi"

    table = models.ForeignKey(CriteriaTable, on_delete=models.PROTECT, related_name="sheets")
    scored_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("loại phiếu", max_length=10, choices=Kind.choices)
    scorer_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("ngày gửi", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # Kept current by scoring.services with every score change (RULES.md 9, 10).
    total = models.DecimalField("điểm trong khung", default=0, **SUM)
    bonus = models.DecimalField("điểm thưởng", default=0, **SUM)
    penalty = models.DecimalField("điểm trừ", default=0, **SUM)
    final = models.DecimalField("tổng điểm", default=0, **SUM)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["table_id", "scored_unit_id", "kind", "scorer_unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "scored_unit", "scorer_unit"],
                                    condition=~Q(kind="appraisal"), name="one_sheet_per_scorer"),
            models.UniqueConstraint(fields=["table", "scored_unit"],
                                    condition=Q(kind="appraisal"), name="one_appraisal_sheet"),
            # RULES.md 13 as the last line of defence: a peer never scores itself, a self
            # sheet is the unit's own, an appraisal has no scoring unit.
            models.CheckConstraint(name="sheet_scorer_matches_kind", condition=(
                Q(kind="self", scorer_unit=F("scored_unit"))
                | (Q(kind="peer", scorer_unit__isnull=False) & ~Q(scorer_unit=F("scored_unit")))
                | Q(kind="appraisal", scorer_unit__isnull=True)
            )),
        ]
        indexes = [models.Index(fields=["table", "kind", "status"])]
        verbose_name = "phiếu chấm"
        verbose_name_plural = "phiếu chấm"

    def __str__(self):
        who = f" — {self.scorer_unit}" if self.kind == self.Kind.PEER else ""
        return f"{self.get_kind_display()}: {self.scored_unit}{who}"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED


class SectionScore(models.Model):
    """A sheet's raw sum in one section, kept current with the scores (tie-breaks by
    section and the per-section charts read these, never the cells)."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE,
                              related_name="section_scores")
    section = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(default=0, **SUM)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "section"], name="section_score_unique"),
        ]

    def __str__(self):
        return f"{self.section_id}: {self.points}"


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField("điểm", **POINTS)
    # What the scorer entered (count, items deducted, grade) or what the points were
    # computed from (target, actual, best; the imported value's source).
    raw = models.JSONField("số liệu nhập", default=dict, blank=True)
    note = models.TextField("ghi chú", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["sheet_id", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_cell"),
            models.CheckConstraint(name="score_not_negative", condition=Q(points__gte=0)),
        ]
        verbose_name = "điểm"
        verbose_name_plural = "điểm"

    def __str__(self):
        return f"{self.criterion.code}: {self.points}"


def score_evidence_path(instance, filename):
    # The stored name is random: the user's file name never becomes a path.
    return f"scoring-evidence/{instance.unit_id}/{uuid.uuid4().hex}"


class ScoreEvidence(models.Model):
    """A file behind a self-assessment score (RULES.md 12), stored like pledge evidence."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=score_evidence_path, max_length=200)
    original_name = models.CharField("tên tệp", max_length=255)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class PeerAssignment(models.Model):
    """A unit's duty to score another in cross-scoring (RULES.md 13: never itself)."""

    table = models.ForeignKey(CriteriaTable, on_delete=models.CASCADE,
                              related_name="assignments")
    scorer_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    scored_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["table_id", "scorer_unit_id", "scored_unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "scorer_unit", "scored_unit"],
                                    name="assignment_unique"),
            models.CheckConstraint(name="assignment_never_self",
                                   condition=~Q(scorer_unit=F("scored_unit"))),
        ]

    def __str__(self):
        return f"{self.scorer_unit_id} → {self.scored_unit_id}"


class ConflictDeclaration(models.Model):
    """A declared conflict of interest between two units: neither scores the other."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    other_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("lý do")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "unit", "other_unit"],
                                    name="conflict_unique"),
            models.CheckConstraint(name="conflict_not_self",
                                   condition=~Q(unit=F("other_unit"))),
        ]

    def __str__(self):
        return f"Xung đột lợi ích {self.unit_id} ↔ {self.other_unit_id}"


class ScoreChange(models.Model):
    """An appraisal change of one score: old, new, why and who (RULES.md 12)."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    old_points = models.DecimalField(null=True, blank=True, **POINTS)
    new_points = models.DecimalField(**POINTS)
    old_raw = models.JSONField(default=dict, blank=True)
    new_raw = models.JSONField(default=dict, blank=True)
    reason = models.TextField("lý do")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                               on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["score_id", "at", "id"]

    def __str__(self):
        return f"{self.old_points} → {self.new_points}: {self.reason}"


class ImportedValue(models.Model):
    """A value another agency's system gives for a unit (e.g. the PAR INDEX score)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="imported")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(**POINTS)
    source = models.CharField("nguồn số liệu", max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "unit"], name="imported_value_unique"),
        ]

    def __str__(self):
        return f"{self.unit_id}: {self.points} ({self.source})"


class PublishedRanking(models.Model):
    """A ranking as published: the rows are stored, so what units read is what was
    published even if a score changes later (then a new publication supersedes it)."""

    table = models.ForeignKey(CriteriaTable, on_delete=models.PROTECT, related_name="rankings")
    published_at = models.DateTimeField("ngày công bố")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    aggregation = models.CharField("cách tổng hợp", max_length=20)
    tie_break_chain = models.JSONField("thứ tự phân định", default=list)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return f"Xếp hạng công bố {short_moment(self.published_at)}"


class RankingRow(models.Model):
    ranking = models.ForeignKey(PublishedRanking, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField("hạng")
    # The final score exactly (a mean of hundredths need not be a decimal): numerator and
    # denominator; rounding happens only when it is shown.
    final_numerator = models.BigIntegerField()
    final_denominator = models.BigIntegerField()
    tied = models.BooleanField("đồng hạng", default=False)
    tie_needs = models.CharField(max_length=40, blank=True)
    decided_by = models.CharField(max_length=40, blank=True)
    method = models.CharField(max_length=20)
    trimmed = models.BooleanField(default=False)
    peer_count = models.PositiveSmallIntegerField(default=0)
    # Exact fractions as "p/q" strings: sections, bonus, penalty, spread, self final.
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["ranking_id", "rank", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "unit"], name="ranking_row_unique"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.unit_id}"

    @property
    def final(self) -> Fraction:
        return Fraction(self.final_numerator, self.final_denominator)


class Reminder(models.Model):
    """One reminder e-mailed to a unit's officers: what it was still missing when sent,
    to whom, by whom (a unit is reminded at most once per SCORING_REMINDER_INTERVAL_HOURS)."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("ngày gửi")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    recipients = models.JSONField("gửi tới", default=list)
    missing = models.JSONField("còn thiếu", default=list)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["bloc_year", "unit", "sent_at"],
                                name="reminder_unit_sent")]

    def __str__(self):
        return f"Nhắc nhở {self.unit_id} {short_moment(self.sent_at)}"
