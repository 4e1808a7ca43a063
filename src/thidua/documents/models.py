"""Documents: the numbering registry, issued documents, background PDF jobs."""

import uuid

from django.conf import settings
from django.db import models

from thidua.core.dates import short_date
from thidua.org.models import Province


class NumberCounter(models.Model):
    """RULES.md 37: the last number an issuing body gave a type of document in a year.
    A new year is a new row, so numbering restarts at 01 on 1 January."""

    issuer = models.CharField("cơ quan ban hành", max_length=40)  # "bloc:3", "unit:12"
    symbol = models.CharField("ký hiệu loại văn bản", max_length=8)
    year = models.PositiveSmallIntegerField("năm")
    last_number = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "symbol", "year"],
                                               name="one_counter_per_issuer_symbol_year")]

    def __str__(self):
        return f"{self.issuer} {self.symbol} {self.year}: {self.last_number:02d}"


class Document(models.Model):
    """An issued document: its number is taken when it is issued and never reused; the
    DOCX issued is kept as it was (the data may move on, the paper does not)."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("loại", max_length=32)
    subject_id = models.PositiveBigIntegerField()  # the registration, bloc year, sheet …
    issuer = models.CharField("cơ quan ban hành", max_length=40)
    symbol = models.CharField("ký hiệu", max_length=8)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    reference = models.CharField("số, ký hiệu", max_length=80)  # "05/BB-KTKT"
    issued_on = models.DateField("ngày ban hành")
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    docx = models.BinaryField()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["issuer", "symbol", "year", "number"],
                                               name="number_never_reused")]
        indexes = [models.Index(fields=["kind", "subject_id"])]

    def __str__(self):
        return f"Số {self.reference} ngày {short_date(self.issued_on)}"


class DocumentJob(models.Model):
    """A PDF produced in the background; the page polls it and shows a progress bar."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang tạo"
        DONE = "done", "Hoàn thành"
        FAILED = "failed", "Thất bại"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="+")
    kind = models.CharField(max_length=32)
    subject_id = models.PositiveBigIntegerField()
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="jobs")  # None: the current draft
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    filename = models.CharField(max_length=200)
    pdf = models.BinaryField(null=True, blank=True)
    # The certificate the PDF was signed with (documents.digital), once signed.
    signed_with = models.ForeignKey("SigningCertificate", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Signer(models.Model):
    """Who signs the papers (issue 15, item 2), entered once and used by every paper: a
    unit's signer (its head, or a deputy signing KT.) signs the unit's papers and, when the
    unit leads a bloc, the bloc's papers as Trưởng khối; a conference's chair and secretary
    sign its minutes. Decree 30/2020, Appendix I: the authority line ("KT. GIÁM ĐỐC",
    "TM. ỦY BAN NHÂN DÂN", "Q. GIÁM ĐỐC"), the signer's title, then the full name."""

    class Role(models.TextChoices):
        HEAD = "head", "Người ký văn bản của đơn vị"
        CHAIR = "chair", "Chủ trì hội nghị"
        SECRETARY = "secretary", "Thư ký hội nghị"

    class Authority(models.TextChoices):
        DIRECT = "", "Ký trực tiếp (người đứng đầu)"
        KT = "KT.", "KT. — cấp phó ký thay người đứng đầu"
        TM = "TM.", "TM. — thay mặt tập thể lãnh đạo"
        Q = "Q.", "Q. — quyền người đứng đầu"

    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="signers")
    conference = models.ForeignKey("voting.Conference", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="signers")
    role = models.CharField("vai trò", max_length=12, choices=Role.choices)
    authority = models.CharField("thẩm quyền ký", max_length=4, choices=Authority.choices,
                                 blank=True, default="")
    # KT.: the head's title ("Giám đốc"); TM.: the collective ("Ủy ban nhân dân").
    on_behalf_of = models.CharField("ký thay / thay mặt", max_length=120, blank=True)
    title = models.CharField("chức vụ người ký", max_length=120)
    name = models.CharField("họ và tên", max_length=120)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "role"], name="one_signer_per_unit_role"),
            models.UniqueConstraint(fields=["conference", "role"],
                                    name="one_signer_per_conference_role"),
            models.CheckConstraint(
                condition=(models.Q(unit__isnull=False, conference__isnull=True)
                           | models.Q(unit__isnull=True, conference__isnull=False)),
                name="signer_of_a_unit_or_a_conference"),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.name}"


class AchievementStatement(models.Model):
    """What a unit writes once for its achievement report (báo cáo thành tích, RULES.md
    41) and the product cannot know: where it sits and how it is reached, its functions and
    duties, its outstanding results, the measures behind them, its work on the Party's and
    State's policies. Per unit and emulation year; a year without one reuses the unit's
    latest earlier statement for the address, contacts and duties."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE,
                             related_name="achievement_statements")
    emulation_year = models.ForeignKey("org.EmulationYear", on_delete=models.PROTECT,
                                       related_name="+")
    address = models.CharField("địa chỉ trụ sở chính", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=50, blank=True)
    email = models.CharField("thư điện tử", max_length=254, blank=True)
    duties = models.TextField("chức năng, nhiệm vụ được giao", blank=True)
    highlights = models.TextField("thành tích nổi bật theo chức năng, nhiệm vụ", blank=True)
    measures = models.TextField("biện pháp, nguyên nhân đạt được thành tích", blank=True)
    policy = models.TextField("thực hiện chủ trương, chính sách của Đảng, pháp luật",
                              blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = ("address", "phone", "email", "duties", "highlights", "measures", "policy")
    CARRIED = ("address", "phone", "email", "duties")  # from the unit's latest earlier year

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "emulation_year"],
                                               name="one_statement_per_unit_year")]

    def __str__(self):
        return f"{self.unit} {self.emulation_year}"


class SigningCertificate(models.Model):
    """A signer's PKCS#12 certificate for signing issued PDFs (documents.digital). The file
    and its passphrase are sealed (core.secretbox: the key is in the server's environment
    only); the chain's CA certificates are public and verify the PDFs signed with it."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE,
                                 related_name="signing_certificates")
    # The unit whose papers it signs (its own signer uploaded it); None: the province's.
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="signing_certificates")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField("người ký (tên trên chứng thư)", max_length=300)
    serial = models.CharField("số hiệu chứng thư", max_length=80)
    not_after = models.DateTimeField("hiệu lực đến")
    sealed_pkcs12 = models.TextField()
    sealed_passphrase = models.TextField()
    chain_pem = models.TextField(blank=True)
    seal_png = models.BinaryField("hình con dấu (PNG)", blank=True, default=b"")
    # A PKCS#11 token instead of a PKCS#12 file (documents.tokens): the module (one of
    # settings.PKCS11_MODULES), the token's and the key's labels, and the name of the
    # environment variable holding the PIN — the PIN itself is never stored.
    token_module = models.CharField("thư viện PKCS#11", max_length=300, blank=True)
    token_label = models.CharField("nhãn token", max_length=100, blank=True)
    key_label = models.CharField("nhãn khóa", max_length=100, blank=True)
    pin_variable = models.CharField("biến môi trường chứa PIN", max_length=100, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.subject} ({self.serial})"

    @property
    def on_token(self) -> bool:
        return bool(self.token_module)
