"""Every refusal of the API as `{"detail": "...", "errors": [{"field", "message"}]}`, in
Vietnamese, with the status that says what went wrong (400 bad data, 401 not signed in,
403 not allowed, 404 not found or not visible, 409 wrong state, 422 invalid field)."""

from django.db import IntegrityError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from thidua.api.schemas import DECIMAL
from thidua.core.errors import DomainError

UNAUTHENTICATED = ("Chưa đăng nhập: hãy đăng nhập hoặc gửi mã truy cập cá nhân "
                   "(Authorization: Bearer thd_…).")
BAD_JSON = "Nội dung gửi lên không phải JSON hợp lệ."
NOT_FOUND = "Không tìm thấy."

# ninja's own English messages for the few HttpErrors it raises itself.
_NINJA_MESSAGES = {
    "Cannot parse request body": BAD_JSON,
    "Not Found": NOT_FOUND,
    "Unauthorized": UNAUTHENTICATED,
}

# pydantic error type → Vietnamese sentence (ctx values filled in).
_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "int_type": "Phải là số nguyên.",
    "int_parsing": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên.",
    "bool_type": "Phải là true hoặc false.",
    "bool_parsing": "Phải là true hoặc false.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_unicode": "Chuỗi ký tự không hợp lệ (mã Unicode hỏng).",
    "string_too_long": "Dài quá {max_length} ký tự.",
    "string_too_short": "Không được để trống.",
    "string_pattern_mismatch": "Có ký tự điều khiển không được phép.",
    "date_type": "Phải là ngày dạng YYYY-MM-DD.",
    "date_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_inexact": "Phải là ngày dạng YYYY-MM-DD (không kèm giờ).",
    "enum": "Giá trị không hợp lệ; chỉ nhận: {expected}.",
    "literal_error": "Giá trị không hợp lệ; chỉ nhận: {expected}.",
    "list_type": "Phải là một danh sách.",
    "too_long": "Danh sách có quá nhiều phần tử (tối đa {max_length}).",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "model_attributes_type": "Phải là một đối tượng JSON.",
    "dict_type": "Phải là một đối tượng JSON.",
    "json_invalid": BAD_JSON,
}
DECIMAL_MESSAGE = ("Phải là số thập phân viết dạng chuỗi, tối đa 13 chữ số phần nguyên và 2 "
                   "chữ số thập phân, dấu chấm thập phân (vd. \"12.50\").")


def body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail,
            "errors": errors if errors is not None else [{"field": None, "message": detail}]}


def _field(loc) -> str | None:
    # ninja's loc: (source, [body parameter name,] field, ...). The client knows fields
    # by their JSON names only.
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or None


def _message(error: dict) -> str:
    kind, ctx = error.get("type"), error.get("ctx") or {}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == DECIMAL:
        return DECIMAL_MESSAGE
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    template = _MESSAGES.get(kind)
    if template is None:
        return "Giá trị không hợp lệ."
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split(";")[0].rstrip(".") + "."


def install(api):
    def _fields(exc: DomainError, messages: list) -> list:
        # A service that knows the line of each problem (a sheet's criteria) says so.
        fields = getattr(exc, "fields", None)
        return list(fields) if fields and len(fields) == len(messages) else [None] * len(
            messages)

    def domain_error(request, exc: DomainError):
        messages = exc.messages or ["Yêu cầu không hợp lệ."]
        response = api.create_response(
            request, body(" ".join(messages), [{"field": field, "message": m} for field, m in
                                               zip(_fields(exc, messages), messages,
                                                   strict=True)]),
            status=exc.status)
        if getattr(exc, "retry_after", None):  # core.ratelimit.RateLimited (429)
            response["Retry-After"] = str(exc.retry_after)
        return response

    def validation_error(request, exc: ValidationError):
        # A path that does not validate (an id beyond any row, a code too long) names
        # nothing: not found, like any other id that names no row.
        if any(tuple(e.get("loc", ()))[:1] == ("path",) for e in exc.errors):
            return api.create_response(request, body(NOT_FOUND), status=404)
        errors = [{"field": _field(e.get("loc", ())), "message": _message(e)}
                  for e in exc.errors]
        if any(e.get("type") == "json_invalid" for e in exc.errors):
            return api.create_response(request, body(BAD_JSON), status=400)
        fields = sorted({e["field"] for e in errors if e["field"]})
        detail = "Dữ liệu gửi lên không hợp lệ" + (": " + ", ".join(fields) if fields else "")
        return api.create_response(request, body(detail + ".", errors), status=422)

    def http_error(request, exc: HttpError):
        message = _NINJA_MESSAGES.get(exc.message, exc.message)
        return api.create_response(request, body(message), status=exc.status_code)

    def authentication_error(request, exc: AuthenticationError):
        message = exc.message if exc.message != "Unauthorized" else UNAUTHENTICATED
        response = api.create_response(request, body(message), status=401)
        response["WWW-Authenticate"] = 'Bearer realm="thidua"'
        return response

    def not_found(request, exc: Http404):
        return api.create_response(request, body(NOT_FOUND), status=404)

    def integrity_error(request, exc: IntegrityError):
        # Two requests raced to create the same row; the loser's transaction rolled back.
        return api.create_response(
            request, body("Dữ liệu vừa được thay đổi bởi một yêu cầu khác; hãy tải lại và "
                          "thử lại."), status=409)

    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(IntegrityError, integrity_error)
