"""Pledges: a unit's registration (titles, targets), progress check-ins with evidence,
and the bloc's pledge signing record."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from thidua.core.dates import short_date
from thidua.law.award_forms import AwardForm
from thidua.org.models import BlocYear, EmulationYear, Unit

POINTS = {"max_digits": 16, "decimal_places": 2}


class Registration(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Bản nháp"
        SUBMITTED = "submitted", "Đã đăng ký"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="registrations")
    emulation_year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="+")
    bloc_year = models.ForeignKey(BlocYear, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("ngày gửi đăng ký", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "emulation_year"], name="one_registration"),
        ]

    def __str__(self):
        return f"Đăng ký thi đua {self.emulation_year.year} — {self.unit}"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def submitted_on(self):
        """The local calendar date of submission (the deadline is a local date)."""
        return timezone.localdate(self.submitted_at) if self.submitted_at else None


class RegisteredTitle(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="titles")
    award_form = models.CharField("danh hiệu", max_length=32, choices=AwardForm.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "award_form"], name="title_once"),
        ]

    def __str__(self):
        return self.get_award_form_display()


class Target(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.CharField("chỉ tiêu", max_length=500)
    baseline = models.DecimalField("giá trị xuất phát", **POINTS, default=0)
    target_value = models.DecimalField("giá trị mục tiêu", **POINTS)
    unit_of_measure = models.CharField("đơn vị tính", max_length=50)
    deadline = models.DateField("thời hạn")
    # The latest reported value, kept current by pledges.services when a check-in is
    # recorded, so overviews need no scan of every check-in.
    latest_actual = models.DecimalField(**POINTS, null=True, blank=True)
    latest_reported_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]

    def __str__(self):
        return self.indicator


class CheckIn(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="check_ins")
    reported_on = models.DateField("ngày báo cáo")
    actual_value = models.DecimalField("kết quả đạt được", **POINTS)
    note = models.TextField("ghi chú", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-id"]

    def __str__(self):
        return f"{self.target} — {short_date(self.reported_on)}: {self.actual_value}"


def evidence_path(instance, filename):
    # The stored name is random: the user's file name never becomes a path.
    return f"evidence/{instance.unit_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField("tên tệp", max_length=255)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class PledgeSigning(models.Model):
    """The launch conference where heads sign the bloc pledge (giao ước thi đua)."""

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="signing")
    signed_on = models.DateField("ngày ký kết")
    place = models.CharField("địa điểm", max_length=300, blank=True)

    def __str__(self):
        return f"Ký kết giao ước {self.bloc_year} ({short_date(self.signed_on)})"


class PledgeSignature(models.Model):
    class Status(models.TextChoices):
        SIGNED = "signed", "Đã ký"
        ABSENT = "absent", "Vắng mặt"

    signing = models.ForeignKey(PledgeSigning, on_delete=models.CASCADE, related_name="signatures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices)
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    absence_reason = models.CharField("lý do vắng", max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signing", "unit"], name="one_signature_per_unit"),
        ]

    def __str__(self):
        return f"{self.unit} — {self.get_status_display()}"
