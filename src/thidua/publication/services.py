"""Publication (imperative shell around publication.domain.press): the press release —
generate from the published data, edit, publish — and the public page's visitor counter.

Publishing copies the working text into a new numbered revision: the first publication
is revision 1; publishing again without a change returns the same revision (idempotent);
an edit after publication changes only the working copy — the public keeps reading the
published revision until the edit is published as revision 2. An article that the public
has read is never changed in place, and each published text stays on record.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.text import clean_text
from thidua.org.models import BlocYear
from thidua.org.rules import Actor
from thidua.publication import queries, rules
from thidua.publication.domain import press
from thidua.publication.models import PageView, PressRelease, PressReleaseRevision

LIMITS = {"title": 300, "lead": 2000, "body": 50000}
LABELS = {"title": "Tiêu đề", "lead": "Sapo", "body": "Nội dung"}


def _require_edit(actor: Actor, bloc_year: BlocYear):
    if not rules.can_edit_press_release(actor, bloc_year):
        raise Forbidden("Chỉ Trưởng khối và Thường trực thi đua tỉnh soạn và công bố thông "
                        "cáo báo chí.")


def _user(actor: Actor):
    user = getattr(actor, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _text(release) -> press.PressText:
    return press.PressText(release.title, release.lead, release.body)


def _generated(release) -> press.PressText:
    return press.PressText(release.generated_title, release.generated_lead,
                           release.generated_body)


def _snapshot(release) -> dict:
    return {name: getattr(release, name) for name in press.FIELDS}


def _lock(bloc_year: BlocYear) -> PressRelease | None:
    return PressRelease.objects.select_for_update().filter(bloc_year=bloc_year).first()


@transaction.atomic
def generate(actor: Actor, bloc_year: BlocYear, *, overwrite: bool = False
             ) -> tuple[PressRelease, tuple]:
    """Write the draft from the published data (the first time), or regenerate it: the
    fields the user has edited are kept unless `overwrite` (press.merge). Returns the
    press release and the names of the fields kept."""
    _require_edit(actor, bloc_year)
    fresh = press.press_release(queries.press_facts(bloc_year))
    now = timezone.now()
    release = _lock(bloc_year)
    if release is None:
        release = PressRelease.objects.create(
            bloc_year=bloc_year, title=fresh.title, lead=fresh.lead, body=fresh.body,
            generated_title=fresh.title, generated_lead=fresh.lead,
            generated_body=fresh.body, generated_at=now, updated_at=now,
            updated_by=_user(actor))
        audit.record(actor, "publication.press.generate", release,
                     province_id=bloc_year.bloc.province_id, after=_snapshot(release))
        return release, ()
    before = _snapshot(release)
    merged = press.merge(_text(release), _generated(release), fresh, overwrite=overwrite)
    for name in press.FIELDS:
        setattr(release, name, getattr(merged.text, name))
        setattr(release, f"generated_{name}", getattr(fresh, name))
    release.generated_at = now
    release.updated_at, release.updated_by = now, _user(actor)
    release.save()
    audit.record(actor, "publication.press.regenerate", release,
                 province_id=bloc_year.bloc.province_id, before=before,
                 after={**_snapshot(release), "kept": list(merged.kept),
                        "overwrite": overwrite})
    return release, merged.kept


def _clean(name: str, value) -> str:
    text = clean_text(value, LABELS[name], LIMITS[name], multiline=True)
    if name == "title" and "\n" in text:
        raise DomainError("Tiêu đề chỉ gồm một dòng.")
    return text


@transaction.atomic
def edit(actor: Actor, bloc_year: BlocYear, *, title, lead, body) -> PressRelease:
    """Save the user's text (all three fields checked before anything is written)."""
    _require_edit(actor, bloc_year)
    values, errors = {}, []
    for name, value in (("title", title), ("lead", lead), ("body", body)):
        try:
            values[name] = _clean(name, value)
        except DomainError as exc:
            errors.extend(exc.messages)
    if errors:
        raise DomainError(*errors)
    release = _lock(bloc_year)
    if release is None:
        raise Conflict("Chưa có bản thảo: hãy tạo bản thảo từ số liệu trước.")
    before = _snapshot(release)
    if before == values:
        return release
    for name, value in values.items():
        setattr(release, name, value)
    release.updated_at, release.updated_by = timezone.now(), _user(actor)
    release.save()
    audit.record(actor, "publication.press.edit", release,
                 province_id=bloc_year.bloc.province_id, before=before, after=values)
    return release


@transaction.atomic
def publish(actor: Actor, bloc_year: BlocYear) -> PressReleaseRevision:
    """Publish the working text as the next revision; the same text again is the same
    revision (idempotent, nothing written)."""
    _require_edit(actor, bloc_year)
    release = _lock(bloc_year)
    if release is None:
        raise Conflict("Chưa có bản thảo thông cáo báo chí để công bố.")
    latest = release.revisions.order_by("-number").first()
    if latest is not None and queries.press_state(release, latest) == queries.PUBLISHED:
        return latest
    revision = PressReleaseRevision.objects.create(
        press_release=release, number=(latest.number + 1) if latest else 1,
        title=release.title, lead=release.lead, body=release.body,
        published_at=timezone.now(), published_by=_user(actor))
    audit.record(actor, "publication.press.publish", revision,
                 province_id=bloc_year.bloc.province_id,
                 before={"number": latest.number} if latest else None,
                 after={"number": revision.number, **_snapshot(revision)})
    return revision


# --- the visitor counter ------------------------------------------------------------------

def visitor_key(address: str | None, user_agent: str, day: datetime.date) -> str:
    """HMAC-SHA256 with the server's secret of (address, user agent, day): the same visitor
    gives the same key all day, a different one tomorrow; the address is not recoverable
    without the secret."""
    value = f"{address or ''}\n{user_agent}\n{day.isoformat()}"
    return salted_hmac("thidua.publication.page_view", value, secret=settings.SECRET_KEY,
                       algorithm="sha256").hexdigest()


def record_view(bloc_year: BlocYear, address: str | None, user_agent: str,
                day: datetime.date | None = None) -> None:
    """Count a visit once per visitor and day: one INSERT … ON CONFLICT DO NOTHING, so
    concurrent first visits of the same visitor still make one row. (Not audited: a visit
    changes nothing of the bloc year.)"""
    day = day or timezone.localdate()
    PageView.objects.bulk_create(
        [PageView(bloc_year=bloc_year, day=day,
                  visitor=visitor_key(address, user_agent[:500], day))],
        ignore_conflicts=True)
