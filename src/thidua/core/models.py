"""Shared models: the user, the append-only audit log, personal API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from thidua.core.text import nfc, search_key, sort_key


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=200, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self):
        return self.full_name or self.username


class NamedModel(models.Model):
    """A model with a Vietnamese `name`, kept with its search and sort keys."""

    name = models.CharField("tên", max_length=300)
    search_key = models.CharField(max_length=300, editable=False, db_index=True, default="")
    sort_key = models.BinaryField(editable=False, default=b"")

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.search_key = search_key(self.name)
        self.sort_key = sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_key", "sort_key"}
        super().save(*args, **kwargs)


class AuditEvent(models.Model):
    """One state change. Rows are only ever appended (see core.audit); each carries the
    hash of the one before in its chain (its province's, or the instance's), so an edited
    or deleted row breaks the chain visibly."""

    at = models.DateTimeField("thời điểm", db_index=True)
    # PROTECT, not SET_NULL: actor_id is part of the hashed content, so nulling it when a
    # user is deleted would break the chain. People who leave are deactivated instead.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("người thực hiện", max_length=200)
    action = models.CharField("hành động", max_length=100, db_index=True)
    object_type = models.CharField("đối tượng", max_length=100)
    object_id = models.CharField(max_length=64)
    province_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField("lý do", blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "sự kiện nhật ký"
        # The head of a province's chain (core.audit.record): its last event, by index.
        indexes = [models.Index(fields=["province_id", "id"], name="core_audit_chain")]
        verbose_name_plural = "nhật ký"

    def __str__(self):
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Nhật ký chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Nhật ký chỉ được ghi thêm, không được xóa.")


class ApiToken(models.Model):
    """A personal token for scripts. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("tên gợi nhớ", max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class TwoFactor(models.Model):
    """A user's TOTP secret (RFC 6238), confirmed once a code from the app matched."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    # Encrypted (core.secretbox): "enc1:" + base64; never the plain base32 secret.
    secret = models.CharField(max_length=200)
    confirmed_at = models.DateTimeField()
    # The last 30-second step accepted: a code seen once is never accepted again.
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "xác thực hai bước"
        verbose_name_plural = "xác thực hai bước"

    def __str__(self):
        return f"2FA {self.user_id}"


class BackupCode(models.Model):
    """A one-time backup code; only a salted PBKDF2 hash is stored, shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="backup_codes")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"mã dự phòng {self.pk} của {self.user_id}"


class RateCounter(models.Model):
    """One rate-limit window's count (core.ratelimit): one atomic upsert per use, shared by
    every process through the database."""

    key = models.CharField(max_length=200, unique=True)
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.hits}"
