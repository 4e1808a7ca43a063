"""Export of one province's whole data as one versioned JSON document
(docs/export-format.md; the sections are exchange.sections, the envelope
exchange.envelope)."""

import base64
import datetime
import hashlib
import json
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from thidua.core.models import User
from thidua.core.text import nfc, nfc_deep
from thidua.exchange.envelope import (
    FORMAT,
    FORMER,
    VERSION,
    ExportFormatError,
    exporter_version,
    former_keys,
    with_checksum,
)
from thidua.exchange.sections import SECTIONS, USER_FIELDS
from thidua.exchange.sections.documents import DOCUMENT_SUBJECTS, ISSUERS
from thidua.exchange.sections.voting import VERBATIM_VOTERS, VOTERS, result_out
from thidua.org import models as org
from thidua.voting import models as voting


def plain(value):
    """A field's value as JSON: NFC text, Decimal as text, times in UTC ISO 8601."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return nfc_deep(value)
    return value


def _scoped_rows(section, province):
    queryset = section.model.objects.all()
    if section.name == "number_counters":
        return queryset  # filtered by issuer below
    scope = section.scope(province)
    queryset = queryset.filter(scope) if isinstance(scope, Q) else queryset.filter(**scope)
    if section.unordered:
        return queryset
    return queryset.order_by("pk")


def export_province(code: str) -> dict:
    """The province's whole data as one JSON-ready dict (see docs/export-format.md)."""
    province = org.Province.objects.filter(code=code).first()
    if province is None:
        raise ExportFormatError(f"Không có tỉnh mã «{code}».")
    # A province merged into this one is part of its history (RULES.md 47): exported whole
    # inside this document, before it, so its rows exist when this province's refer to them.
    formers = list(org.Province.objects.filter(merged_into=province).order_by("code"))
    keys = {"users": dict(User.objects.values_list("pk", "username")),
            FORMER: former_keys(
                [(f.pk, f.code) for f in formers],
                org.Unit.objects.filter(province__in=formers).values_list(
                    "pk", "province__code", "code"))}
    users, files, sections, polls = set(), {}, {}, []
    for section in SECTIONS:
        keys[section.name] = {}
        rows = list(_scoped_rows(section, province))
        if section.name == "number_counters":
            issuers = {f"{kind}:{pk}" for kind, name in ISSUERS.items()
                       for pk in keys[name]}
            rows = sorted((r for r in rows if r.issuer in issuers), key=lambda r: r.pk)
        if not section.unordered:  # keys first: a row may refer to an earlier one
            for position, obj in enumerate(rows, 1):
                keys[section.name][obj.pk] = (section.key(obj, keys) if section.key
                                              else str(position))
        elif section.key:
            for obj in rows:
                keys[section.name][obj.pk] = section.key(obj, keys)
        out = [_export_row(section, obj, keys, users, files) for obj in rows]
        if section.unordered:
            out.sort(key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))
        if section.model is voting.Poll:
            polls = list(zip(rows, out, strict=True))
        sections[section.name] = out
    for obj, row in polls:  # the count names candidates, exported after the polls
        row["result"] = plain(result_out(obj.result, keys))
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exporter": exporter_version(),
        "created_at": plain(timezone.now()),
        "province": province.code,
        "sections": {"users": _export_users(users), **sections},
        "files": {sha: files[sha] for sha in sorted(files)},
    }
    if formers:
        document[FORMER] = [export_province(former.code) for former in formers]
    return with_checksum(document)


def _key(keys, target, pk):
    """The key of row `pk` of section `target`: the province's own, else a former
    province's (envelope.former_keys)."""
    own = keys[target]
    return own[pk] if pk in own else keys[FORMER][target][pk]


def _export_users(pks):
    return [{"key": user.username, **{name: plain(getattr(user, name))
                                      for name in USER_FIELDS}}
            for user in User.objects.filter(pk__in=pks).order_by("username")]


def _export_row(section, obj, keys, users, files):
    row = {}
    if section.key is not None:
        row["key"] = keys[section.name][obj.pk]
    for name in section.fields:
        value = getattr(obj, name)
        if name == "result" and section.model is voting.Poll:
            value = None  # filled in once the candidates have keys
        elif name in section.json:
            value = section.json[name][0](value, keys)
        elif name == "voter_key" and value.partition(":")[0] not in VERBATIM_VOTERS:
            kind, _, pk = value.partition(":")
            if kind == "user":
                users.add(int(pk))
            value = f"{kind}:{keys[VOTERS[kind]][int(pk)]}"
        elif name == "subject_id":
            subject = DOCUMENT_SUBJECTS.get(obj.kind)
            if subject is None or value not in keys[subject]:
                raise ExportFormatError(f"Văn bản {obj.reference}: chưa xuất được đối tượng "
                                        f"của loại «{obj.kind}».")
            value = keys[subject][value]
        row[name] = plain(value)
    for name, target in section.refs.items():
        pk = getattr(obj, f"{name}_id")
        if pk is not None and target == "users":
            users.add(pk)
        row[name] = None if pk is None else _key(keys, target, pk)
    for name in section.files:
        content = _file_bytes(obj, name)
        sha = hashlib.sha256(content).hexdigest()
        files[sha] = {"size": len(content), "base64": base64.b64encode(content).decode()}
        row[name] = sha
    for name, target in section.many.items():
        row[name] = sorted(_key(keys, target, u.pk) for u in getattr(obj, name).all())
    if section.model is org.BlocYear:
        row["deputy_units"] = sorted(keys["units"][u.pk] for u in obj.deputy_units.all())
    return row


def _file_bytes(obj, name):
    value = getattr(obj, name)
    if isinstance(value, bytes | memoryview):
        return bytes(value)
    try:
        with value.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError) as exc:
        raise ExportFormatError(
            f"Tệp «{getattr(obj, 'original_name', value.name)}» không còn trong kho tệp: "
            "không xuất được.") from exc
