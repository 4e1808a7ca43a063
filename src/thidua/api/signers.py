"""Who signs the papers (issue 15, item 2): a unit's signer, a conference's chair and
secretary — the same services and rules as the pages (documents.signers)."""

from typing import Literal

from ninja import Field, Router, Schema

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, responses
from thidua.documents import signers
from thidua.documents.models import Signer

router = Router(tags=["Văn bản"])
Authority = Literal["", "KT.", "TM.", "Q."]


class SignerIn(s.InputObject):
    authority: Authority = Field("", description="Thẩm quyền ký: \"\" ký trực tiếp, \"KT.\" "
                                                 "ký thay, \"TM.\" thay mặt, \"Q.\" quyền.")
    on_behalf_of: s.text(120) = Field("", description="Ký thay / thay mặt ai (chỉ với KT., "
                                                       "TM.): \"Giám đốc\", \"Ủy ban nhân dân\".")
    title: s.text(120, 1) = Field(description="Chức vụ người ký: \"Phó Giám đốc\".")
    name: s.text(120, 1) = Field(description="Họ và tên (không ghi \"Đồng chí\").")


class PrintedOut(Schema):
    mandate: str = Field(description="Dòng thẩm quyền: \"KT. GIÁM ĐỐC\" (có thể trống).")
    title: str
    name: str = Field(description="Họ tên in ở dòng ký; chưa nhập: dòng chấm để ký, ghi tay.")


class SignerOut(Schema):
    role: Literal["head", "chair", "secretary"]
    entered: bool
    authority: Authority
    on_behalf_of: str
    title: str
    name: str
    printed: PrintedOut


def _out(role: str, signer: Signer | None, printed: dict) -> dict:
    return {"role": role, "entered": signer is not None,
            "authority": signer.authority if signer else "",
            "on_behalf_of": signer.on_behalf_of if signer else "",
            "title": signer.title if signer else "", "name": signer.name if signer else "",
            "printed": printed}


def _unit_out(unit) -> dict:
    signer = signers.unit_signer(unit.id)
    return _out("head", signer, signers.unit_block(unit))


def _conference_out(conference, role: str) -> dict:
    signer = signers.conference_signers(conference).get(role)
    title = {"chair": "CHỦ TRÌ", "secretary": "THƯ KÝ"}[role]
    return _out(role, signer, {"mandate": "", **signers.minutes_block(conference, role,
                                                                        title)})


def _in(payload: SignerIn) -> signers.SignerIn:
    return signers.SignerIn(payload.authority, payload.on_behalf_of, payload.title,
                            payload.name)


@router.get("/units/{unit_id}/signer", response=responses({200: SignerOut}, *READ),
            summary="Người ký văn bản của đơn vị (và văn bản của khối khi là Trưởng khối)")
def unit_signer(request, unit_id: s.Id):
    return _unit_out(signers.find_unit(actor(request), unit_id))


@router.put("/units/{unit_id}/signer", response=responses({200: SignerOut}, *WRITE),
            summary="Nhập người ký văn bản của đơn vị")
def set_unit_signer(request, unit_id: s.Id, payload: SignerIn):
    actor_ = actor(request)
    unit = signers.find_unit(actor_, unit_id)
    signers.set_unit_signer(actor_, unit, _in(payload))
    return _unit_out(unit)


@router.get("/conferences/{conference_id}/signers",
            response=responses({200: list[SignerOut]}, *READ),
            summary="Người ký biên bản hội nghị: chủ trì, thư ký")
def conference_signers(request, conference_id: s.Id):
    conference = signers.find_conference(actor(request), conference_id)
    return [_conference_out(conference, role) for role in signers.CONFERENCE_ROLES]


@router.put("/conferences/{conference_id}/signers/{role}",
            response=responses({200: SignerOut}, *WRITE),
            summary="Nhập người ký biên bản hội nghị (chủ trì hoặc thư ký)")
def set_conference_signer(request, conference_id: s.Id, role: Literal["chair", "secretary"],
                          payload: SignerIn):
    actor_ = actor(request)
    conference = signers.find_conference(actor_, conference_id)
    signers.set_conference_signer(actor_, conference, role, _in(payload))
    return _conference_out(conference, role)
