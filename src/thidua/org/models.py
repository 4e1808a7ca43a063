"""Organisation: provinces, blocs, units, emulation years, bloc years, roles.

Fields and constraints only; the rules (RULES.md 1, 2, 5) live in org.domain and are
applied by org.services. Rule 1 is also a database constraint, the last line of defence.
"""

from django.conf import settings
from django.db import models

from thidua.core.models import NamedModel
from thidua.org.domain.phases import Phase


class Province(NamedModel):
    class Kind(models.TextChoices):
        """Tỉnh, or thành phố trực thuộc trung ương (6 of the 34 from 1/7/2025): every
        label naming the authority follows it ("UBND TỈNH …" / "UBND THÀNH PHỐ …")."""

        TINH = "tinh", "Tỉnh"
        THANH_PHO = "thanh_pho", "Thành phố trực thuộc trung ương"

    code = models.CharField("mã", max_length=20, unique=True)
    kind = models.CharField("loại đơn vị hành chính", max_length=12, choices=Kind.choices,
                            default=Kind.TINH)
    # RULES.md 5: bloc size within a configured range.
    min_bloc_size = models.PositiveSmallIntegerField("số thành viên tối thiểu", default=5)
    max_bloc_size = models.PositiveSmallIntegerField("số thành viên tối đa", default=15)
    # A province merged into another (Nghị quyết 202/2025/QH15, from 1/7/2025) is kept as a
    # former province: its history readable, nothing in it changed any more
    # (exchange.merger brings its units and blocs into `merged_into`).
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="former_provinces",
                                    verbose_name="đã hợp nhất vào")
    merged_on = models.DateField("ngày hợp nhất có hiệu lực", null=True, blank=True)
    merger_resolution = models.CharField("văn bản hợp nhất", max_length=300, blank=True)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = "tỉnh, thành phố"
        verbose_name_plural = "tỉnh, thành phố"

    @property
    def kind_word(self) -> str:
        """"tỉnh" or "thành phố", as it follows "Ủy ban nhân dân" in a document."""
        return "thành phố" if self.kind == self.Kind.THANH_PHO else "tỉnh"

    @property
    def full_name(self) -> str:
        """"tỉnh Bắc Ninh", "thành phố Hải Phòng"."""
        return f"{self.kind_word} {self.name}"


class Bloc(NamedModel):
    class Kind(models.TextChoices):
        KHOI = "khoi", "Khối thi đua"
        CUM = "cum", "Cụm thi đua"

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="blocs")
    code = models.CharField("mã", max_length=20)
    kind = models.CharField("loại", max_length=4, choices=Kind.choices)
    short_name = models.CharField("tên ngắn", max_length=120, blank=True)
    # The former province whose territory the bloc comes from, after a merger: its
    # provincial rules apply until the merged province's own regulation (law.rulebooks).
    territory = models.ForeignKey(Province, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="địa bàn tỉnh cũ")

    class Meta:
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="bloc_code_unique"),
        ]
        verbose_name = "khối, cụm thi đua"
        verbose_name_plural = "khối, cụm thi đua"

    @property
    def display_name(self):
        return self.short_name or self.name

    @property
    def territory_code(self) -> str | None:
        """The former province's code whose rules judge this bloc (law.rulebooks)."""
        return self.territory.code if self.territory_id else None


class Unit(NamedModel):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="units")
    code = models.CharField("mã", max_length=20)
    # As Bloc.territory; and the same agency's row in the former province, whose history
    # (years, conferences, awards) stays there.
    territory = models.ForeignKey(Province, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="địa bàn tỉnh cũ")
    former_unit = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="merged_unit",
                                       verbose_name="đơn vị ở tỉnh cũ")

    @property
    def territory_code(self) -> str | None:
        """As Bloc.territory_code."""
        return self.territory.code if self.territory_id else None

    class Meta:
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="unit_code_unique"),
        ]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"


class EmulationYear(models.Model):
    """RULES.md 6: everything is keyed by the emulation year, not by meeting dates."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField("năm thi đua")
    # RULES.md 7: the registration deadline, a setting (default 31/3 of the year).
    registration_deadline = models.DateField("hạn đăng ký thi đua")

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="year_unique"),
        ]
        verbose_name = "năm thi đua"
        verbose_name_plural = "năm thi đua"

    def __str__(self):
        return f"Năm {self.year}"


class BlocYear(models.Model):
    bloc = models.ForeignKey(Bloc, on_delete=models.PROTECT, related_name="years")
    emulation_year = models.ForeignKey(
        EmulationYear, on_delete=models.PROTECT, related_name="bloc_years"
    )
    phase = models.CharField(
        "giai đoạn", max_length=32, choices=Phase.choices, default=Phase.REGISTRATION
    )
    leader_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="trưởng khối"
    )
    deputy_units = models.ManyToManyField(Unit, related_name="+", verbose_name="phó khối")
    # RULES.md 7: a bloc formed during the year (after the mergers of 1/7/2025) may have
    # its own registration deadline, set by the province; empty: the emulation year's.
    registration_deadline = models.DateField("hạn đăng ký thi đua riêng của khối", null=True,
                                             blank=True)

    class Meta:
        ordering = ["bloc__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "emulation_year"], name="bloc_year_unique"),
        ]
        verbose_name = "khối trong năm"
        verbose_name_plural = "khối trong năm"

    def __str__(self):
        return f"{self.bloc.display_name} — {self.emulation_year.year}"

    @property
    def year(self):
        return self.emulation_year.year

    @property
    def effective_registration_deadline(self):
        """RULES.md 7: the bloc's own deadline if the province set one, else the year's."""
        return self.registration_deadline or self.emulation_year.registration_deadline


class Membership(models.Model):
    """A unit in a bloc for one year; the rows across years are the membership history."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    # Copied from bloc_year so the database can hold RULES.md 1 as a unique constraint.
    emulation_year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "emulation_year"], name="one_bloc_per_unit_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.unit} — {self.bloc_year}"

    def save(self, *args, **kwargs):
        self.emulation_year_id = self.bloc_year.emulation_year_id
        super().save(*args, **kwargs)


class PastLeader(models.Model):
    """A past year's leader unit of a bloc, recorded as history (from the minutes or the
    province's decision that named it) for a year the product did not run: rotation
    (RULES.md 4) reads it beside the bloc years' own leaders. A year the bloc ran in the
    product has its leader on its BlocYear, never here."""

    bloc = models.ForeignKey(Bloc, on_delete=models.PROTECT, related_name="past_leaders")
    emulation_year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT,
                                       related_name="+")
    leader_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="trưởng khối")
    document_number = models.CharField("số văn bản (biên bản, quyết định)", max_length=50)
    document_date = models.DateField("ngày văn bản")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-emulation_year__year", "bloc__sort_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "emulation_year"],
                                    name="past_leader_once_per_bloc_year"),
        ]
        verbose_name = "Trưởng khối các năm trước"
        verbose_name_plural = "Trưởng khối các năm trước"

    def __str__(self):
        return f"Trưởng khối {self.bloc.display_name} năm {self.emulation_year.year}"


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "Quản trị hệ thống"
    PROVINCE_SECRETARIAT = "province_secretariat", "Thường trực thi đua tỉnh"
    BLOC_LEADER_OFFICER = "bloc_leader_officer", "Cán bộ đơn vị Trưởng khối"
    UNIT_OFFICER = "unit_officer", "Cán bộ thi đua đơn vị"
    DELEGATE = "delegate", "Đại biểu"


class RoleAssignment(models.Model):
    """A user's role and the one object it is scoped to (see org.rules for what it allows)."""

    SCOPE = {
        Role.SYSTEM_ADMIN: None,
        Role.PROVINCE_SECRETARIAT: "province",
        Role.BLOC_LEADER_OFFICER: "bloc_year",
        Role.UNIT_OFFICER: "unit",
        Role.DELEGATE: "unit",
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    province = models.ForeignKey(Province, null=True, blank=True, on_delete=models.CASCADE)
    bloc_year = models.ForeignKey(BlocYear, null=True, blank=True, on_delete=models.CASCADE)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches",
                condition=(
                    models.Q(role="system_admin", province__isnull=True,
                             bloc_year__isnull=True, unit__isnull=True)
                    | models.Q(role="province_secretariat", province__isnull=False,
                               bloc_year__isnull=True, unit__isnull=True)
                    | models.Q(role="bloc_leader_officer", province__isnull=True,
                               bloc_year__isnull=False, unit__isnull=True)
                    | models.Q(role__in=["unit_officer", "delegate"], province__isnull=True,
                               bloc_year__isnull=True, unit__isnull=False)
                ),
            ),
        ]
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"

    def __str__(self):
        scope = self.province or self.bloc_year or self.unit
        return f"{self.get_role_display()}" + (f" — {scope}" if scope else "")


class LineageEvent(models.Model):
    """A reorganisation of units (issue 14, LEGAL-REVIEW.md R3): units merged into one
    successor (sáp nhập, hợp nhất), one unit split into several (chia tách) or a unit
    renamed (đổi tên), from an effective date, by a paper (number, date). The
    predecessors stop existing on the effective date: they are kept as history, never
    deleted; an absorbing unit that continues is a successor only. The rules reading it
    live in org.domain.lineage and org.lineage (RULES.md 44–46)."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Sáp nhập, hợp nhất"
        SPLIT = "split", "Chia tách"
        RENAME = "rename", "Đổi tên"

    province = models.ForeignKey(Province, on_delete=models.PROTECT,
                                 related_name="lineage_events")
    kind = models.CharField("hình thức sắp xếp", max_length=8, choices=Kind.choices)
    effective_date = models.DateField("ngày có hiệu lực")
    document_number = models.CharField("số văn bản quyết định", max_length=50)
    document_date = models.DateField("ngày văn bản")
    note = models.CharField("trích yếu, ghi chú", max_length=500, blank=True)
    predecessors = models.ManyToManyField(Unit, related_name="succeeded_by",
                                          verbose_name="đơn vị trước sắp xếp")
    successors = models.ManyToManyField(Unit, related_name="succeeds",
                                        verbose_name="đơn vị sau sắp xếp")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = "sắp xếp đơn vị"
        verbose_name_plural = "sắp xếp đơn vị"

    def __str__(self):
        return f"{self.get_kind_display()} theo {self.document_number}"
