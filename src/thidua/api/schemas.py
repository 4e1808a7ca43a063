"""Request and response shapes of the API, shared by the routers.

Inbound strings carry their database length and refuse control characters: PostgreSQL
rejects NUL in text and a too-long value would fail at the INSERT, both as a 500. Money-
like values (targets, results) travel as decimal strings so no client rounds them
through a float.
"""

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, StringConstraints, model_validator

from thidua.law.award_forms import AwardForm
from thidua.org.domain.phases import Phase
from thidua.org.models import Role

# Ids are bigint columns; anything larger cannot name a row and would overflow SQLite.
MAX_ID = 2**53 - 1
# Tab, newline and carriage return are text; every other C0 control (and DEL) is not.
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# Two decimals, and at most 13 digits before the point: pledges.services.MAX_AMOUNT
# (SQLite stores these columns as floats, exact to 15 significant digits).
DECIMAL = r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$"


def text(max_length: int, min_length: int = 0):
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length,
                                            pattern=NO_CONTROL)]


DecimalString = Annotated[str, StringConstraints(pattern=DECIMAL)]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_only(value):
    # pydantic would also read 0 or "1700000000" as a Unix time: a date is the string.
    if isinstance(value, datetime.date) or (isinstance(value, str)
                                            and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("Phải là ngày dạng YYYY-MM-DD.")


Date = Annotated[datetime.date, BeforeValidator(_iso_date_only)]
def _not_a_boolean(value):
    # pydantic reads JSON true as 1 (and false as 0): a ballot for `[true]` was stored as
    # a vote for candidate 1. An id is a number, never a truth value.
    if isinstance(value, bool):
        raise ValueError(NOT_BOOL_ID)
    return value


def _not_a_truth_value(value):
    # Likewise for a number (a count, a year): JSON true is not 1.
    if isinstance(value, bool):
        raise ValueError(NOT_BOOL_NUMBER)
    return value


NOT_BOOL_ID = "Phải là số nguyên (true/false không phải mã)."
NOT_BOOL_NUMBER = "Phải là số nguyên (true/false không phải số)."
Id = Annotated[int, BeforeValidator(_not_a_boolean), Field(ge=1, le=MAX_ID)]


def whole(ge: int, le: int):
    """A whole number field of a request body, in [ge, le]; never a JSON boolean."""
    return Annotated[int, BeforeValidator(_not_a_truth_value), Field(ge=ge, le=le)]


Year = whole(1900, 9999)


def decimal_string(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


# --- errors ---------------------------------------------------------------------------

class InputObject(Schema):
    """A request body that must be a JSON object. ninja's Schema reads attributes from any
    Python object (`from_attributes`), so a body of `[null, null]` would otherwise pass as
    "every optional field left out"."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data):
        # ninja hands the body over wrapped in its DjangoGetter; judge what was sent.
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("Nội dung yêu cầu phải là một đối tượng JSON.")
        return data


class ErrorItem(Schema):
    field: str | None = Field(None, description="Trường bị lỗi (vd. `reported_on`); "
                                                "null nếu lỗi không gắn với trường nào.")
    message: str


class ErrorOut(Schema):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt.")
    errors: list[ErrorItem]


# --- organisation ---------------------------------------------------------------------

class ProvinceOut(Schema):
    id: int
    code: str
    name: str


class UnitRef(Schema):
    id: int
    code: str
    name: str


class UnitOut(UnitRef):
    province: ProvinceOut


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class BlocOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: Literal["khoi", "cum"]


class BlocYearOut(Schema):
    id: int
    province: ProvinceOut
    bloc: BlocOut
    year: int
    phase: Phase
    phase_label: str
    leader_unit: UnitRef


class BlocYearPage(Schema):
    count: int
    items: list[BlocYearOut]


class MoveOut(Schema):
    target: Phase
    target_label: str
    direction: Literal["forward", "back"]
    needs_reason: bool


class MemberOut(Schema):
    unit: UnitRef
    is_leader: bool
    is_deputy: bool
    registration_status: Literal["none", "draft", "submitted"] = Field(
        description="`none` cũng dùng cho bản nháp của đơn vị khác (không được xem).")
    registration_id: int | None
    submitted_on: datetime.date | None
    on_time: bool
    signature: Literal["signed", "absent"] | None


class BlocYearDetail(BlocYearOut):
    registration_deadline: datetime.date
    deputy_units: list[UnitRef]
    members: list[MemberOut]
    registered_count: int
    signing_complete: bool
    can_manage: bool
    allowed_moves: list[MoveOut]


class PhaseMoveIn(Schema):
    target: Phase
    reason: text(2000) = ""
    confirm: bool = Field(False, description=(
        "Chuyển tiếp dù còn thiếu (vd. 0/10 phiếu tự chấm đã gửi): không có thì yêu cầu bị "
        "từ chối (409) kèm danh sách việc còn thiếu."))


class MembershipOut(Schema):
    year: int
    bloc_year_id: int
    bloc: BlocOut
    is_leader: bool
    is_deputy: bool


class UnitDetail(UnitOut):
    memberships: list[MembershipOut]


class RoleOut(Schema):
    role: Role
    role_label: str
    province: ProvinceOut | None
    bloc_year_id: int | None
    bloc_year_name: str | None
    unit: UnitRef | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    is_admin: bool
    auth: Literal["session", "token"]
    roles: list[RoleOut]


# --- pledges --------------------------------------------------------------------------

class TitleOut(Schema):
    award_form: AwardForm
    label: str


class TargetOut(Schema):
    id: int
    indicator: str
    baseline: str
    target_value: str
    unit_of_measure: str
    deadline: datetime.date
    latest_actual: str | None
    latest_reported_on: datetime.date | None
    progress_percent: int


class RegistrationPermissions(Schema):
    edit: bool
    withdraw: bool
    report_progress: bool


class RegistrationOut(Schema):
    id: int
    unit: UnitRef
    year: int
    bloc_year_id: int
    status: Literal["draft", "submitted"]
    status_label: str
    submitted_at: datetime.datetime | None
    on_time: bool
    titles: list[TitleOut]
    targets: list[TargetOut]
    permissions: RegistrationPermissions


class TitlesIn(Schema):
    award_forms: list[AwardForm] = Field(max_length=len(AwardForm.values))


class TargetIn(Schema):
    indicator: text(500)
    target_value: DecimalString
    unit_of_measure: text(50)
    deadline: Date
    baseline: DecimalString = "0"


class WithdrawIn(Schema):
    reason: text(2000)


class EvidenceOut(Schema):
    id: int
    original_name: str
    kind: Literal["pdf", "jpeg", "png", "docx", "xlsx"]
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    download_url: str


class CheckInIn(Schema):
    reported_on: Date
    actual_value: DecimalString
    note: text(5000) = ""


class CheckInOut(Schema):
    id: int
    target_id: int
    reported_on: datetime.date
    actual_value: str
    note: str
    author: str | None
    created_at: datetime.datetime
    evidence: list[EvidenceOut]


class SignatureIn(Schema):
    signed_on: Date
    place: text(300) = ""
    status: Literal["signed", "absent"]
    signer_name: text(200) = ""
    absence_reason: text(300) = ""


class SignatureOut(Schema):
    unit: UnitRef
    status: Literal["signed", "absent"] | None
    signer_name: str
    absence_reason: str


class SigningOut(Schema):
    bloc_year_id: int
    signed_on: datetime.date | None
    place: str
    complete: bool
    members: list[SignatureOut]


# --- tokens ---------------------------------------------------------------------------

class TokenIn(Schema):
    name: text(100, min_length=1)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="Mã truy cập đầy đủ; chỉ hiện một lần, hãy lưu lại ngay.")
