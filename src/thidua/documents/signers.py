"""Who signs (issue 15, item 2): the signers a user enters once per unit and per
conference, checked and saved with an audit event, and the signature blocks every paper
prints from them (Decree 30/2020, Appendix I: authority line, title, full name).

A paper whose signer nobody entered leaves a dotted line where the name is written by
hand — never a unit's name, never "Đồng chí" alone.
"""

import re
from dataclasses import dataclass

from django.db import transaction

from thidua.core import audit
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.core.text import tidy
from thidua.documents import rules
from thidua.documents.models import Signer
from thidua.org.models import Unit
from thidua.org.rules import Actor
from thidua.voting.models import Conference

Role, Authority = Signer.Role, Signer.Authority
BLANK_NAME = "…" * 14  # the dotted line the signer writes the name on
UNIT_ROLES = (Role.HEAD,)
CONFERENCE_ROLES = (Role.CHAIR, Role.SECRETARY)
# A name line holds a name: the forms of address people type before it are refused
# (and, in the conference's free-text chair and secretary, left off the signature).
HONORIFIC = re.compile(r"^\s*(đồng chí|đ/c|đc\.|ông|bà|anh|chị)\b\.?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class SignerIn:
    authority: str
    on_behalf_of: str
    title: str
    name: str


def block(signer: Signer | None, *, default_title: str) -> dict:
    """{mandate, title, name} for the template's signature block: "KT. GIÁM ĐỐC" /
    "PHÓ GIÁM ĐỐC" / "Nguyễn Văn A"; "Q. GIÁM ĐỐC"; "TM. …" / title. No signer: the
    default title and a dotted name line."""
    if signer is None:
        return {"mandate": "", "title": default_title, "name": BLANK_NAME}
    title = signer.title.upper()
    if signer.authority == Authority.Q:
        return {"mandate": "", "title": f"Q. {title}", "name": signer.name}
    mandate = (f"{signer.authority} {signer.on_behalf_of.upper()}"
               if signer.authority in (Authority.KT, Authority.TM) else "")
    return {"mandate": mandate, "title": title, "name": signer.name}


def person_name(text: str) -> str:
    """The name in a free-text field such as a conference's chair ("Đồng chí Nguyễn Văn
    An, Giám đốc Sở Công Thương" → "Nguyễn Văn An"); empty when none is left."""
    name = HONORIFIC.sub("", text or "")
    name = re.split(r"\s*[,;(]\s*|\s+[-–—]\s+", name, maxsplit=1)[0].strip()
    return name


def unit_signer(unit_id: int) -> Signer | None:
    return Signer.objects.filter(unit_id=unit_id, role=Role.HEAD).first()


def unit_block(unit) -> dict:
    """A unit's papers (registration, self-assessment, achievement report)."""
    return block(unit_signer(unit.id), default_title="THỦ TRƯỞNG ĐƠN VỊ")


def bloc_block(bloc_year) -> dict:
    """The bloc's papers: "TM. KHỐI THI ĐUA" / "TRƯỞNG KHỐI" / the person who signs for
    the leader unit — never the unit's name."""
    kind = "KHỐI" if bloc_year.bloc.kind == bloc_year.bloc.Kind.KHOI else "CỤM"
    signer = unit_signer(bloc_year.leader_unit_id) if bloc_year.leader_unit_id else None
    return {"mandate": f"TM. {kind} THI ĐUA", "title": f"TRƯỞNG {kind}",
            "name": signer.name if signer else BLANK_NAME}


def conference_signers(conference) -> dict:
    """role → Signer of the conference."""
    return {s.role: s for s in Signer.objects.filter(conference=conference)}


def meeting_person(conference, role: str) -> tuple[str, str]:
    """(name, title) of the chair or secretary: the signer entered for the conference,
    else the name in the conference's own field (forms of address and titles left off);
    the name is empty when there is none."""
    signer = conference_signers(conference).get(role)
    if signer is not None:
        return signer.name, signer.title
    typed = conference.chair if role == Role.CHAIR else conference.secretary
    return person_name(typed), ""


def minutes_block(conference, role: str, title: str) -> dict:
    name, _ = meeting_person(conference, role)
    return {"title": title, "name": name or BLANK_NAME}


# --- entering them -----------------------------------------------------------------------

def clean(data: SignerIn) -> SignerIn:
    """NFC, trimmed; the Vietnamese reasons for what cannot be printed."""
    authority = tidy(data.authority)
    on_behalf_of = tidy(data.on_behalf_of)
    title, name = tidy(data.title), tidy(data.name)
    problems = []
    if authority not in Authority.values:
        problems.append("Thẩm quyền ký phải là một trong: ký trực tiếp, KT., TM., Q.")
    if not name:
        problems.append("Nhập họ và tên người ký.")
    elif HONORIFIC.match(name):
        problems.append("Họ và tên chỉ ghi tên người ký, không ghi “Đồng chí”, “Ông”, “Bà”.")
    if not title:
        problems.append("Nhập chức vụ người ký (ví dụ: Giám đốc, Phó Giám đốc).")
    if authority in (Authority.KT, Authority.TM) and not on_behalf_of:
        problems.append(f"Ký “{authority}” cần ghi ký thay / thay mặt ai (ví dụ: "
                        + ("Giám đốc" if authority == Authority.KT else "Ủy ban nhân dân")
                        + ").")
    if authority in (Authority.DIRECT, Authority.Q) and on_behalf_of:
        problems.append("Chỉ ghi “ký thay / thay mặt” khi ký KT. hoặc TM.")
    for label, value, limit in (("Họ và tên", name, 120), ("Chức vụ", title, 120),
                                ("Ký thay / thay mặt", on_behalf_of, 120)):
        if len(value) > limit:
            problems.append(f"{label} dài quá {limit} ký tự.")
    if problems:
        raise DomainError(*problems)
    return SignerIn(authority, on_behalf_of, title, name)


def find_unit(actor: Actor, unit_id: int) -> Unit:
    unit = Unit.objects.select_related("province").filter(pk=unit_id).first()
    if unit is None or not rules.can_view_signers_of_unit(actor, unit):
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def find_conference(actor: Actor, conference_id: int):
    conference = (Conference.objects.select_related("bloc_year__bloc__province")
                  .filter(pk=conference_id).first())
    if conference is None or not rules.can_view_signers_of_conference(actor, conference):
        raise NotFound("Không tìm thấy hội nghị.")
    return conference


def _snapshot(signer: Signer | None) -> dict | None:
    if signer is None:
        return None
    return {"authority": signer.authority, "on_behalf_of": signer.on_behalf_of,
            "title": signer.title, "name": signer.name}


@transaction.atomic
def _save(actor: Actor, owner: dict, role: str, data: SignerIn, province_id: int) -> Signer:
    data = clean(data)
    current = Signer.objects.select_for_update().filter(role=role, **owner).first()
    before = _snapshot(current)
    signer = current or Signer(role=role, **owner)
    signer.authority, signer.on_behalf_of = data.authority, data.on_behalf_of
    signer.title, signer.name = data.title, data.name
    signer.save()
    audit.record(actor, "documents.signer", signer, province_id=province_id, before=before,
                 after={"role": role, **_snapshot(signer)})
    return signer


def set_unit_signer(actor: Actor, unit, data: SignerIn) -> Signer:
    if not rules.can_set_signers_of_unit(actor, unit):
        raise Forbidden("Chỉ cán bộ của đơn vị hoặc Thường trực thi đua tỉnh nhập người ký "
                        "văn bản của đơn vị.")
    return _save(actor, {"unit": unit}, Role.HEAD, data, unit.province_id)


def set_conference_signer(actor: Actor, conference, role: str, data: SignerIn) -> Signer:
    if role not in CONFERENCE_ROLES:
        raise DomainError("Vai trò ký biên bản hội nghị là “chủ trì” hoặc “thư ký”.")
    if not rules.can_set_signers_of_conference(actor, conference):
        raise Forbidden("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh nhập người ký "
                        "biên bản hội nghị.")
    return _save(actor, {"conference": conference}, role, data,
                 conference.bloc_year.bloc.province_id)
