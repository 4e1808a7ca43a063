"""Publication: the press release of a bloc year and its published revisions, and the
public results page's daily visitor counter (fields and constraints only).

A press release is a working copy (`PressRelease`: what the leader or the secretariat
edits, and the text last generated from the data, to tell their edits apart) and the
revisions published from it (`PressReleaseRevision`, never changed once written). The
public reads the latest revision; an edit after publication changes the working copy only
and is published as the next revision.
"""

from django.conf import settings
from django.db import models

from thidua.core.dates import short_date
from thidua.org.models import BlocYear


class PressRelease(models.Model):
    bloc_year = models.OneToOneField(BlocYear, on_delete=models.PROTECT,
                                     related_name="press_release")
    title = models.CharField("tiêu đề", max_length=300)
    lead = models.TextField("sapo (đoạn mở đầu)")
    body = models.TextField("nội dung")
    generated_title = models.CharField(max_length=300)
    generated_lead = models.TextField()
    generated_body = models.TextField()
    generated_at = models.DateTimeField("lần tạo từ số liệu gần nhất")
    updated_at = models.DateTimeField("lần sửa gần nhất")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "thông cáo báo chí"
        verbose_name_plural = "thông cáo báo chí"

    def __str__(self):
        return self.title


class PressReleaseRevision(models.Model):
    press_release = models.ForeignKey(PressRelease, on_delete=models.PROTECT,
                                      related_name="revisions")
    number = models.PositiveIntegerField("lần công bố")
    title = models.CharField("tiêu đề", max_length=300)
    lead = models.TextField("sapo")
    body = models.TextField("nội dung")
    published_at = models.DateTimeField("ngày công bố")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["press_release_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["press_release", "number"],
                                               name="press_revision_number_once")]
        verbose_name = "bản công bố thông cáo"
        verbose_name_plural = "bản công bố thông cáo"

    def __str__(self):
        return f"{self.title} (lần {self.number})"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class PageView(models.Model):
    """One visitor of a bloc year's public page on one day. `visitor` is an HMAC (server
    secret) of the address, the browser's user agent and the day: no address is stored, and
    the same visitor tomorrow is a different, unlinkable value. The unique constraint makes
    a second visit the same day — even at the same instant — count nothing."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("ngày")
    visitor = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bloc_year", "day", "visitor"],
                                               name="page_view_once_per_day")]

    def __str__(self):
        return f"{self.bloc_year_id} {short_date(self.day)}"
