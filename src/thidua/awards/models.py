"""Awards: the facts of a unit's year that eligibility needs, and decided awards.

Fields and constraints only; the rules live in law and are applied by
awards.services. Rulebooks are files (law/rulebooks/*.yaml), not rows: they are
versioned with the code and reviewed like it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from thidua.core.dates import short_date
from thidua.law import facts as core
from thidua.law import workflow
from thidua.law.award_forms import AwardForm
from thidua.law.bonus import AwardRecord
from thidua.org.models import BlocYear, EmulationYear, Unit


def _not_above(field, total="member_count"):
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{total}__isnull": True}) | Q(
        **{f"{field}__lte": F(total)})


class UnitYearFacts(models.Model):
    """One unit's year as its officer enters it; the leader or the secretariat confirms.

    Every fact may be unknown (NULL / empty): eligibility reports it as missing."""

    class ConfirmedAs(models.TextChoices):
        LEADER = "leader", "Trưởng khối"
        SECRETARIAT = "secretariat", "Thường trực thi đua tỉnh"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="year_facts")
    emulation_year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT,
                                       related_name="+")
    targets_exceeded = models.BooleanField("hoàn thành vượt mức chỉ tiêu, nhiệm vụ", null=True)
    task_rating = models.CharField("xếp loại hoàn thành nhiệm vụ", max_length=16,
                                   choices=core.Rating.choices, blank=True)
    party_rating = models.CharField("xếp loại tổ chức đảng", max_length=16,
                                    choices=core.Rating.choices, blank=True)
    discipline_level = models.CharField("hình thức kỷ luật cao nhất trong năm", max_length=16,
                                        choices=core.DisciplineLevel.choices, blank=True)
    negative_inspection = models.BooleanField("kết luận thanh tra, kiểm tra có vi phạm",
                                              null=True)
    member_count = models.PositiveIntegerField("số thành viên", null=True)
    completed_count = models.PositiveIntegerField("số hoàn thành nhiệm vụ", null=True)
    advanced_worker_count = models.PositiveIntegerField("số đạt Lao động tiên tiến", null=True)
    emulation_soldier_count = models.PositiveIntegerField("số đạt Chiến sĩ thi đua cơ sở",
                                                          null=True)
    new_model = models.BooleanField("có nhân tố mới, mô hình mới", null=True)
    thrift_anti_corruption_lead = models.BooleanField(
        "đi đầu thực hành tiết kiệm, chống lãng phí, chống tham nhũng", null=True)
    union_rating = models.CharField("xếp loại Công đoàn cơ sở", max_length=16,
                                    choices=core.OrganisationRating.choices, blank=True)
    youth_union_rating = models.CharField("xếp loại Đoàn Thanh niên", max_length=16,
                                          choices=core.OrganisationRating.choices, blank=True)
    pending_matter = models.CharField("vụ việc đang xem xét", max_length=16,
                                      choices=core.PendingMatter.choices, blank=True)
    pending_matter_detail = models.TextField("nội dung vụ việc đang xem xét", blank=True)
    discipline_ended_on = models.DateField("ngày hết thời hạn kỷ luật của tập thể", null=True,
                                           blank=True)
    note = models.TextField("ghi chú, minh chứng", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_as = models.CharField(max_length=16, choices=ConfirmedAs.choices, blank=True)
    # Returned (trả lại) by the leader or the province with a reason; entering again
    # clears it.
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField("lý do trả lại", blank=True)

    FACT_FIELDS = ("targets_exceeded", "task_rating", "party_rating", "discipline_level",
                   "negative_inspection", "member_count", "completed_count",
                   "advanced_worker_count", "emulation_soldier_count", "union_rating",
                   "youth_union_rating", "pending_matter", "pending_matter_detail", "new_model",
                   "thrift_anti_corruption_lead", "discipline_ended_on")

    class State(models.TextChoices):
        ENTERED = "entered", "Chờ xác nhận"
        CONFIRMED = "confirmed", "Đã xác nhận"
        RETURNED = "returned", "Bị trả lại"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "emulation_year"], name="one_facts_per_year"),
            # The last line of defence behind facts_errors (RULES 21 counts).
            models.CheckConstraint(name="facts_completed_within_members",
                                   condition=_not_above("completed_count")),
            models.CheckConstraint(name="facts_advanced_within_members",
                                   condition=_not_above("advanced_worker_count")),
            models.CheckConstraint(name="facts_soldiers_within_members",
                                   condition=_not_above("emulation_soldier_count")),
        ]
        verbose_name = "số liệu năm của đơn vị"
        verbose_name_plural = "số liệu năm của đơn vị"

    def __str__(self):
        return f"Số liệu năm {self.emulation_year.year} — {self.unit}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def state(self) -> str:
        if self.is_confirmed:
            return self.State.CONFIRMED
        return self.State.RETURNED if self.returned_at else self.State.ENTERED

    @property
    def state_label(self) -> str:
        return self.State(self.state).label

    def as_facts(self) -> core.UnitYearFacts:
        return core.UnitYearFacts(
            unit_id=self.unit_id, year=self.emulation_year.year,
            targets_exceeded=self.targets_exceeded,
            task_rating=self.task_rating or None,
            party_rating=self.party_rating or None,
            discipline_level=self.discipline_level or None,
            negative_inspection=self.negative_inspection,
            member_count=self.member_count, completed_count=self.completed_count,
            advanced_worker_count=self.advanced_worker_count,
            emulation_soldier_count=self.emulation_soldier_count,
            union_rating=self.union_rating or None,
            youth_union_rating=self.youth_union_rating or None,
            pending_matter=self.pending_matter or None,
            pending_matter_detail=self.pending_matter_detail,
            new_model=self.new_model,
            thrift_anti_corruption_lead=self.thrift_anti_corruption_lead,
            discipline_ended_on=self.discipline_ended_on,
            confirmed=self.is_confirmed)


def facts_evidence_path(instance, filename):
    # The stored name is random: the user's file name never becomes a path.
    return f"facts-evidence/{instance.unit_id}/{uuid.uuid4().hex}"


class FactsEvidence(models.Model):
    """A file behind a unit's year facts (the party's rating decision, an inspection
    conclusion …), stored like pledge evidence: checked by content, random name."""

    facts = models.ForeignKey(UnitYearFacts, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=facts_evidence_path, max_length=200)
    original_name = models.CharField("tên tệp", max_length=255)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "minh chứng số liệu năm"
        verbose_name_plural = "minh chứng số liệu năm"

    def __str__(self):
        return self.original_name


class LeaderDecision(models.Model):
    """The province's recorded decision on next year's leader unit where the conference's
    election does not give it: no leader elected (a 6–6 tie), or the province designates
    another unit (RULES.md 3). Number, date and reason are what the page shows."""

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.PROTECT,
                                     related_name="leader_decision")
    # The year it opened (set in the same transaction): its pages show the decision.
    next_bloc_year = models.OneToOneField(BlocYear, null=True, blank=True,
                                          on_delete=models.PROTECT,
                                          related_name="leader_designation")
    leader_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    elected_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    number = models.CharField("số quyết định", max_length=50)
    decision_date = models.DateField("ngày quyết định")
    reason = models.TextField("lý do")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "quyết định về Trưởng khối năm sau"
        verbose_name_plural = "quyết định về Trưởng khối năm sau"

    def __str__(self):
        return f"Quyết định số {self.number} ngày {short_date(self.decision_date)}"


class Award(models.Model):
    """A decided award (khen thưởng đã nhận). Kept minimal until the decision workflow
    (AwardDecision) exists: it is what later years read for eligibility and bonus points."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="awards")
    emulation_year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT,
                                       related_name="+")
    award_form = models.CharField("hình thức khen thưởng", max_length=32,
                                  choices=AwardForm.choices)
    decision_number = models.CharField("số quyết định", max_length=50)
    decision_date = models.DateField("ngày quyết định")
    signer = models.CharField("người ký", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The decision and proposal line it came from (empty for a history import).
    decision = models.ForeignKey("AwardDecision", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="awards")
    proposal_line = models.OneToOneField("ProposalLine", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="award")

    class Meta:
        ordering = ["-emulation_year__year", "award_form", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "emulation_year", "award_form"],
                                    name="award_once_per_form_and_year"),
        ]
        verbose_name = "khen thưởng đã nhận"
        verbose_name_plural = "khen thưởng đã nhận"

    def __str__(self):
        return f"{self.get_award_form_display()} năm {self.emulation_year.year} — {self.unit}"

    def as_record(self) -> AwardRecord:
        return AwardRecord(self.unit_id, self.emulation_year.year, self.award_form,
                           self.decision_number)


class Proposal(models.Model):
    """The bloc year's proposal dossier (đề nghị khen thưởng) sent to the province: its
    lines come from the allocation (ranking, poll results, quotas, eligibility)."""

    State = workflow.State

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.PROTECT,
                                     related_name="award_proposal")
    state = models.CharField("trạng thái", max_length=16, choices=State.choices,
                             default=State.DRAFT)
    conference_date = models.DateField("ngày hội nghị tổng kết")
    rulebook = models.TextField("bộ quy tắc áp dụng")
    explanation = models.JSONField("giải trình phân bổ", default=list)
    return_reason = models.TextField("lý do trả lại", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField("ngày gửi", null=True, blank=True)
    accepted_at = models.DateTimeField("ngày tiếp nhận", null=True, blank=True)

    class Meta:
        verbose_name = "hồ sơ đề nghị khen thưởng"
        verbose_name_plural = "hồ sơ đề nghị khen thưởng"

    def __str__(self):
        return f"Đề nghị khen thưởng — {self.bloc_year}"


class AwardDecision(models.Model):
    """The chairman's decision (quyết định khen thưởng): number, date, signer and the
    proposal lines it awards (RULES.md 27)."""

    emulation_year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT,
                                       related_name="award_decisions")
    number = models.CharField("số quyết định", max_length=50)
    decision_date = models.DateField("ngày quyết định")
    signer = models.CharField("người ký", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decision_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["emulation_year", "number"],
                                    name="decision_number_once_per_year"),
        ]
        verbose_name = "quyết định khen thưởng"
        verbose_name_plural = "quyết định khen thưởng"

    def __str__(self):
        return f"Quyết định số {self.number} ngày {short_date(self.decision_date)}"


class ProposalLine(models.Model):
    """One unit proposed for one award form, and — once decided — awarded or not."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Chờ quyết định"
        AWARDED = "awarded", "Được khen thưởng"
        NOT_AWARDED = "not_awarded", "Không được khen thưởng"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    award_form = models.CharField("hình thức khen thưởng", max_length=32,
                                  choices=AwardForm.choices)
    position = models.PositiveSmallIntegerField("thứ tự", default=1)
    votes = models.PositiveIntegerField("số phiếu đồng ý", null=True, blank=True)
    explanation = models.TextField("căn cứ đề nghị", blank=True)
    outcome = models.CharField("kết quả", max_length=16, choices=Outcome.choices,
                               default=Outcome.PENDING)
    decision = models.ForeignKey(AwardDecision, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="lines")

    class Meta:
        ordering = ["proposal_id", "award_form", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "unit", "award_form"],
                                    name="proposal_line_once"),
            models.CheckConstraint(
                name="proposal_line_decided_with_decision",
                condition=Q(outcome="pending", decision__isnull=True)
                | (~Q(outcome="pending") & Q(decision__isnull=False))),
        ]
        verbose_name = "dòng đề nghị"
        verbose_name_plural = "dòng đề nghị"

    def __str__(self):
        return f"{self.get_award_form_display()} — {self.unit}"


class CouncilSelection(models.Model):
    """The province's council (Hội đồng Thi đua – Khen thưởng tỉnh) choosing the
    Government-flag candidates of a year among the collectives the blocs voted as leading
    (RULES.md 20): the minutes' number and date, and the proposal lines it chose (each
    names the unit and, through its proposal, the bloc it leads)."""

    emulation_year = models.OneToOneField(EmulationYear, on_delete=models.PROTECT,
                                          related_name="council_selection")
    minutes_number = models.CharField("số biên bản họp Hội đồng", max_length=50)
    meeting_date = models.DateField("ngày họp Hội đồng")
    chosen = models.ManyToManyField(ProposalLine, related_name="+",
                                    verbose_name="tập thể được chọn đề nghị Cờ thi đua của "
                                                 "Chính phủ")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "kết quả họp Hội đồng Thi đua – Khen thưởng tỉnh"
        verbose_name_plural = "kết quả họp Hội đồng Thi đua – Khen thưởng tỉnh"

    def __str__(self):
        return (f"Biên bản họp Hội đồng số {self.minutes_number} "
                f"ngày {short_date(self.meeting_date)}")
