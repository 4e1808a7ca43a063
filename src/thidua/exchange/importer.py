"""Import of a province exported by exchange.export into an instance that does not hold
it yet, in one transaction: a malformed, tampered or inconsistent file is refused with
Vietnamese sentences and writes nothing (files already stored for the attempt are
removed again)."""

import base64
import binascii
import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from thidua.awards.models import UnitYearFacts
from thidua.core import audit
from thidua.core.errors import Conflict, DomainError
from thidua.core.models import NamedModel, User
from thidua.core.text import nfc, nfc_deep
from thidua.exchange.envelope import (
    FORMAT,
    FORMER,
    VERSION,
    ExportFormatError,
    checksum,
    former_keys,
    lookup,
)
from thidua.exchange.sections import ADDED_LATER, BY_NAME, SECTIONS, USER_FIELDS
from thidua.exchange.sections.documents import DOCUMENT_SUBJECTS
from thidua.exchange.sections.voting import VERBATIM_VOTERS, VOTERS, result_in
from thidua.org import models as org
from thidua.voting import models as voting
from thidua.voting.services import stored_box_digest


def loads(text) -> dict:
    """Parse and check the envelope; ExportFormatError with Vietnamese sentences."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeError) as exc:
        raise ExportFormatError("Tệp không phải JSON hợp lệ (tệp xuất dữ liệu tỉnh).") from exc
    return _checked(document)


def _checked(document) -> dict:
    """The envelope's checks of loads, then those of each former province inside (after
    this document's checksum, which covers them as they are in the file)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ExportFormatError("Tệp không phải tệp xuất dữ liệu tỉnh của thidua.")
    if document.get("version") != VERSION:
        raise ExportFormatError(
            f"Phiên bản định dạng {document.get('version')!r} không được hỗ trợ "
            f"(chỉ nhập được phiên bản {VERSION}).")
    if not isinstance(document.get("checksum"), str):
        raise ExportFormatError("Tệp thiếu mã kiểm tra toàn tệp («checksum»): không nhập tệp "
                                "không kiểm tra được.")
    if document["checksum"] != checksum(document):
        raise ExportFormatError("Mã kiểm tra toàn tệp («checksum») không khớp nội dung: tệp đã "
                                "bị sửa hoặc hỏng sau khi xuất; không ghi gì.")
    sections = document.get("sections")
    if not isinstance(sections, dict):
        raise ExportFormatError("Tệp thiếu mục «sections».")
    for name in ADDED_LATER:  # a file written before the section existed has none
        sections.setdefault(name, [])
    missing = [name for name in ("users", *BY_NAME) if name not in sections]
    if missing:
        raise ExportFormatError("Tệp thiếu các mục: " + ", ".join(missing) + ".")
    for name, rows in sections.items():
        if name not in BY_NAME and name != "users":
            raise ExportFormatError(f"Mục «{name}» không có trong định dạng phiên bản {VERSION}.")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ExportFormatError(f"Mục «{name}» phải là một danh sách các đối tượng.")
    if len(sections["province"]) != 1:
        raise ExportFormatError("Mục «province» phải có đúng một tỉnh.")
    files = document.get("files")
    if not isinstance(files, dict):
        raise ExportFormatError("Tệp thiếu mục «files».")
    for sha, entry in files.items():
        try:
            content = base64.b64decode(entry["base64"], validate=True)
        except (KeyError, TypeError, binascii.Error) as exc:
            raise ExportFormatError(f"Tệp đính kèm {sha[:12]}…: nội dung không đọc được.") from exc
        if hashlib.sha256(content).hexdigest() != sha or entry.get("size") != len(content):
            raise ExportFormatError(
                f"Tệp đính kèm {sha[:12]}…: mã kiểm tra SHA-256 không khớp (tệp bị sửa?).")
    formers = document.get(FORMER, [])
    if not isinstance(formers, list):
        raise ExportFormatError(f"Mục «{FORMER}» phải là một danh sách tệp xuất dữ liệu tỉnh.")
    for former in formers:
        _checked(former)
    return document


def _where(section, index, name=None):
    return f"Mục «{section}», dòng {index}" + (f", trường «{name}»" if name else "")


def _value(section, index, model, name, value):
    model_field = model._meta.get_field(name)
    try:
        if isinstance(model_field, models.JSONField):
            return nfc_deep(value)
        if value is None:
            if not model_field.null:
                raise ValidationError("null")
            return None
        if isinstance(model_field, models.CharField | models.TextField):
            if not isinstance(value, str):
                raise ValidationError("not text")
            value = nfc(value)
        elif isinstance(model_field, models.BooleanField) and not isinstance(value, bool):
            raise ValidationError("not a boolean")
        elif isinstance(model_field, models.IntegerField | models.DecimalField) and (
                isinstance(value, bool) or not isinstance(value, int | str)):
            raise ValidationError("not a number")
        value = model_field.to_python(value)
        model_field.run_validators(value)
        if (model_field.choices and not (value in ("", None) and model_field.blank)
                and value not in {c for c, _ in model_field.flatchoices}):
            raise ValidationError("not a choice")
        if isinstance(model_field, models.DateTimeField) and timezone.is_naive(value):
            raise ValidationError("naive")
        return value
    except (ValidationError, TypeError, ValueError, ArithmeticError):
        raise ExportFormatError(
            f"{_where(section, index, name)}: giá trị {str(value)[:60]!r} không hợp lệ."
        ) from None


# Fields added to this version after its first files: absent means this value.
FIELDS_ADDED_LATER = {(org.Province, "kind"): org.Province.Kind.TINH,
                      (org.Province, "merged_on"): None, (org.Province, "merger_resolution"): "",
                      (UnitYearFacts, "discipline_ended_on"): None}
# References added later: absent means none.
REFS_ADDED_LATER = {(org.Bloc, "territory"), (org.Unit, "territory"),
                    (org.Unit, "former_unit")}
AUTO_TIMES = {name for name in ("created_at", "uploaded_at", "declared_at", "at",
                                "recorded_at", "issued_at", "updated_at")}


class DryRun(DomainError):
    """Raised inside the import's transaction to undo it once `then` has looked: the
    rows and the stored files go, `outcome` is what `then` returned."""

    def __init__(self, outcome):
        super().__init__()
        self.outcome = outcome


def import_province(document: dict, actor=None, *, skip=(), then=None,
                    dry_run=False) -> org.Province:
    """Create the province and everything in the document, all or nothing. `skip`: section
    names not imported (no later section may refer to them); `then(province)`: more work
    in the same transaction (exchange.merger); `dry_run`: everything done and verified,
    then undone — DryRun carries what `then` returned."""
    stored = []
    try:
        with transaction.atomic():
            province = _import_one(document, actor, skip, stored)
            outcome = then(province) if then is not None else None
            if dry_run:
                raise DryRun(outcome)
    except (DomainError, DatabaseError, KeyError, AttributeError, TypeError) as exc:
        for storage, name in stored:
            storage.delete(name)
        if isinstance(exc, DomainError):
            raise
        if isinstance(exc, DatabaseError):
            raise ExportFormatError(
                "Dữ liệu trong tệp mâu thuẫn với ràng buộc của cơ sở dữ liệu; không ghi gì "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]}).") from exc
        raise ExportFormatError(
            f"Tệp thiếu hoặc sai trường dữ liệu ({type(exc).__name__}: {exc!s:.100}); "
            "không ghi gì.") from exc
    return province


def _import_one(document, actor, skip, stored) -> org.Province:
    """One province of the file, inside import_province's transaction: first the
    provinces merged into it (each a whole export, imported the same way), then its own
    rows, which may refer to theirs; then the former ones are marked merged into it."""
    sections = document["sections"]
    code = sections["province"][0].get("key")
    if not isinstance(code, str) or not code:
        raise ExportFormatError("Mục «province» thiếu mã tỉnh («key»).")
    if org.Province.objects.filter(code=code).exists():
        raise Conflict(f"Tỉnh mã «{code}» đã có trong hệ thống: chỉ nhập được vào nơi "
                       "chưa có tỉnh này (không ghi gì).")
    formers = [_import_one(former, actor, (), stored) for former in document.get(FORMER, [])]
    known = former_keys([(f.pk, f.code) for f in formers], org.Unit.objects.filter(
        province__in=formers).values_list("pk", "province__code", "code"))
    pks = {"users": _import_users(sections["users"]),
           FORMER: {name: {key: pk for pk, key in rows.items()}
                    for name, rows in known.items()}}
    for section in SECTIONS:
        if section.name in skip:
            pks[section.name] = {}
            continue
        _import_section(section, sections[section.name], pks, document["files"], stored)
    for index, row in enumerate(sections["polls"], 1):
        voting.Poll.objects.filter(pk=pks["polls"][str(index)]).update(
            result=_value("polls", index, voting.Poll, "result",
                          result_in(row["result"], pks)))
    digests = verify_published_polls(sections["polls"], pks)
    province = org.Province.objects.get(code=code)
    org.Province.objects.filter(pk__in=[f.pk for f in formers]).update(merged_into=province)
    audit.record(actor, "province.imported", province, province_id=province.pk,
                 after={"code": code, "exporter": document.get("exporter"),
                        "created_at": document.get("created_at"),
                        "checksum": document.get("checksum"),
                        "published_digests": digests,
                        "former_provinces": [f.code for f in formers],
                        "rows": sum(len(rows) for rows in sections.values())})
    return province


def verify_published_polls(rows, pks) -> dict:
    """Each published poll's box, as imported, must hash to the digest it was published
    with (the one in the minutes and on the public page): a ballot edited in the file,
    even with the file's checksum recomputed, is refused. Poll key → digest, for the
    audit event."""
    digests = {}
    for index, row in enumerate(rows, 1):
        if row.get("state") != voting.Poll.State.PUBLISHED:
            continue
        poll = voting.Poll.objects.get(pk=pks["polls"][str(index)])
        if not poll.digest or stored_box_digest(poll) != poll.digest:
            title = poll.title or f"dòng {index}"
            raise ExportFormatError(
                f"Cuộc bỏ phiếu «{title}» (mục «polls», dòng {index}): các phiếu trong tệp "
                "không khớp mã kiểm tra hòm phiếu đã công bố (phiếu bị sửa?); không ghi gì.")
        digests[str(index)] = poll.digest
    return digests


def _import_users(rows):
    pks = {}
    for index, row in enumerate(rows, 1):
        username = row.get("key")
        if not isinstance(username, str) or not username:
            raise ExportFormatError(f"{_where('users', index)}: thiếu tên đăng nhập.")
        user = User.objects.filter(username=username).first()
        if user is None:  # an account of the same name is reused as it is
            user = User(username=username, **{
                name: _value("users", index, User, name, row[name]) for name in USER_FIELDS})
            user.set_unusable_password()  # passwords are never exported
            user.save()
        pks[username] = user.pk
    return pks


def _import_section(section, rows, pks, files, stored):
    model = section.model
    mine = pks[section.name] = {}
    one_by_one = issubclass(model, NamedModel) or section.name in section.refs.values()
    objs, auto = [], []
    for index, row in enumerate(rows, 1):
        obj, times = _build(section, index, row, pks, files)
        key = row.get("key") if section.key else str(index)
        if not isinstance(key, str) or key in mine:
            raise ExportFormatError(f"{_where(section.name, index)}: khóa {key!r} thiếu hoặc "
                                    "trùng.")
        if one_by_one:  # a later row may refer to this one
            obj.save(force_insert=True)
        mine[key] = obj.pk
        objs.append(obj)
        auto.append(times)
    if not one_by_one:
        model.objects.bulk_create(objs, batch_size=500)
        for key, obj in zip(list(mine), objs, strict=True):
            mine[key] = obj.pk
    for obj in objs:
        for name in section.files:
            if not isinstance(model._meta.get_field(name), models.BinaryField):
                stored.append((getattr(obj, name).storage, getattr(obj, name).name))
    for name, target in section.many.items():
        for index, (obj, row) in enumerate(zip(objs, rows, strict=True), 1):
            keys = row.get(name)
            if not isinstance(keys, list):
                raise ExportFormatError(f"{_where(section.name, index, name)}: phải là danh "
                                        f"sách khóa của mục «{target}».")
            getattr(obj, name).set([lookup(pks, target, k) for k in keys])
    if model is org.BlocYear:
        for obj, row in zip(objs, rows, strict=True):
            obj.deputy_units.set([lookup(pks, "units", k) for k in row["deputy_units"]])
    names = sorted({name for times in auto for name in times})
    if names:  # auto_now(_add) fields took "now" on insert: the file's times back
        for obj, times in zip(objs, auto, strict=True):
            for name, value in times.items():
                setattr(obj, name, value)
        model.objects.bulk_update(objs, names, batch_size=500)


def _build(section, index, row, pks, files):
    model = section.model
    kwargs = {}
    for name in section.fields:
        if name not in row and (model, name) in FIELDS_ADDED_LATER:
            row = {**row, name: FIELDS_ADDED_LATER[(model, name)]}  # a file made before it
        value = row[name]
        if name == "result" and model is voting.Poll:
            value = None  # set once the candidates exist
        elif name in section.json:
            value = section.json[name][1](value, pks)
        elif name == "voter_key":
            kind, _, key = str(value).partition(":")
            if kind in VERBATIM_VOTERS and all(c in "0123456789abcdef" for c in key) \
                    and len(key) == 32:
                value = f"{kind}:{key}"
            elif kind in VOTERS:
                value = f"{kind}:{lookup(pks, VOTERS[kind], key)}"
            else:
                raise ExportFormatError(f"{_where(section.name, index, name)}: khóa người bỏ "
                                        f"phiếu «{value}» không hợp lệ.")
        elif name == "subject_id":
            subject = DOCUMENT_SUBJECTS.get(row.get("kind"))
            if subject is None:
                raise ExportFormatError(f"{_where(section.name, index, 'kind')}: loại văn bản "
                                        f"«{row.get('kind')}» không được hỗ trợ.")
            value = lookup(pks, subject, value)
        kwargs[name] = _value(section.name, index, model, name, value)
    for name, target in section.refs.items():
        absent = name not in row and (model, name) in REFS_ADDED_LATER
        kwargs[f"{name}_id"] = lookup(pks, target, None if absent else row[name])
    for name in section.files:
        sha = row[name]
        if not isinstance(sha, str) or sha not in files:
            raise ExportFormatError(f"{_where(section.name, index, name)}: tệp đính kèm "
                                    f"«{sha}» không có trong mục «files».")
        content = base64.b64decode(files[sha]["base64"])
        binary = isinstance(model._meta.get_field(name), models.BinaryField)
        kwargs[name] = content if binary else ContentFile(content, name=sha)
    times = {name: kwargs[name] for name in section.fields if name in AUTO_TIMES}
    return model(**kwargs), times
