"""Export of one province's whole data as documented, versioned JSON, and its import into
another instance (docs/export-format.md describes every section and field).

The document refers to rows by *keys* — natural keys where the data has them (a unit's
code, a year, a username, "KTKT/2025" for a bloc year), else the row's 1-based position
in its section (rows are exported in creation order and imported in that order, so the
positions survive) — never by database ids. Files (pledge and score evidence, issued
DOCX) are embedded once each in the document's `files` map, base64, named by their
SHA-256, which the import checks.

Import goes only where the province does not exist yet, in one transaction: a malformed,
tampered or inconsistent file is refused with Vietnamese sentences and writes nothing
(files already stored for the attempt are removed again).
"""

import base64
import binascii
import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone

from thidua.awards import models as awards
from thidua.core import audit
from thidua.core.errors import Conflict, DomainError
from thidua.core.models import NamedModel, User
from thidua.core.text import nfc, nfc_deep
from thidua.documents import models as documents
from thidua.org import models as org
from thidua.pledges import models as pledges
from thidua.scoring import models as scoring
from thidua.voting import models as voting

FORMAT = "thidua-province-export"
VERSION = 1


class ExportFormatError(DomainError):
    pass


def exporter_version() -> str:
    try:
        return f"thidua {metadata.version('thidua')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "thidua"


# --- the sections ----------------------------------------------------------------------

def _by(prefix):
    """Rows of the province through the relation path `prefix` (e.g. "bloc__province")."""
    return lambda p: {prefix: p}


@dataclass(frozen=True)
class Section:
    name: str
    model: type
    scope: object  # province -> filter kwargs, or a Q
    fields: tuple = ()  # plain fields (text, numbers, dates, booleans, JSON)
    refs: dict = field(default_factory=dict)  # FK field -> section name ("users" too)
    key: object = None  # (obj, keys) -> str; None: the row's position ("1", "2", …)
    files: tuple = ()  # FileField / BinaryField names, exported as SHA-256 of the content
    unordered: bool = False  # no creation order (random or composite key): sorted rows
    json: dict = field(default_factory=dict)  # field -> (out(value, keys), in(value, pks))


def _issuer_out(value, keys):
    kind, _, pk = value.partition(":")
    section = ISSUERS.get(kind)
    if section is None or not pk.isdigit() or int(pk) not in keys[section]:
        raise ExportFormatError(f"Không xuất được cơ quan ban hành «{value}».")
    return f"{kind}:{keys[section][int(pk)]}"


def _issuer_in(value, pks):
    kind, _, key = str(value).partition(":")
    section = ISSUERS.get(kind)
    if section is None or key not in pks[section]:
        raise ExportFormatError(f"Cơ quan ban hành «{value}» không có trong tệp.")
    return f"{kind}:{pks[section][key]}"


def _result_out(value, keys):
    """A poll's stored count names candidates by id: by candidate key in the file."""
    if not value:
        return value
    out = dict(value)
    out["candidates"] = [{**row, "candidate": keys["candidates"][row["candidate"]]}
                         for row in value.get("candidates", [])]
    out["run_off"] = [keys["candidates"][pk] for pk in value.get("run_off", [])]
    return out


def _result_in(value, pks):
    if not value:
        return value
    if not isinstance(value, dict):
        raise ExportFormatError("Kết quả kiểm phiếu phải là một đối tượng JSON.")
    out = dict(value)
    out["candidates"] = [{**row, "candidate": _lookup(pks, "candidates", row.get("candidate"))}
                         for row in value.get("candidates", [])]
    out["run_off"] = [_lookup(pks, "candidates", key) for key in value.get("run_off", [])]
    return out


def _explanation_out(value, keys):
    return [{**item, "unit": keys["units"].get(item.get("unit"), item.get("unit"))}
            for item in value or []]


def _explanation_in(value, pks):
    if not isinstance(value, list):
        raise ExportFormatError("Giải trình phân bổ phải là một danh sách.")
    return [{**item, "unit": _lookup(pks, "units", item.get("unit"))} for item in value]


# A participation's voter key names a row by id ("paper:<unit id>": a unit handed a
# paper ballot before per-delegate paper ballots); "del:<hash>" (one delegate, RULES.md 29)
# names no row and travels as it is.
VOTERS = {"unit": "units", "paper": "units", "card": "voting_cards", "user": "users"}
VERBATIM_VOTERS = {"del"}


# Documents name their subject by id; the kind says which section the subject is in.
DOCUMENT_SUBJECTS = {"dang-ky": "registrations", "giao-uoc": "bloc_years",
                     "tu-cham": "score_sheets", "xep-hang": "bloc_years",
                     "to-trinh": "proposals", "bao-cao-thanh-tich": "proposal_lines",
                     "du-thao-quyet-dinh": "years", "phieu-bau": "polls",
                     "the-bieu-quyet": "polls", "kiem-phieu": "polls",
                     "bien-ban-hop": "conferences"}
ISSUERS = {"unit": "units", "bloc_year": "bloc_years", "province": "province"}

BLOC_YEAR = "bloc_year__bloc__province"
TABLE = "table__bloc_year__bloc__province"

SECTIONS = (
    Section("province", org.Province, lambda p: {"pk": p.pk},
            ("code", "name", "kind", "min_bloc_size", "max_bloc_size"),
            key=lambda o, k: o.code),
    Section("blocs", org.Bloc, _by("province"), ("code", "name", "kind", "short_name"),
            {"province": "province"}, key=lambda o, k: o.code),
    Section("units", org.Unit, _by("province"), ("code", "name"), {"province": "province"},
            key=lambda o, k: o.code),
    Section("years", org.EmulationYear, _by("province"), ("year", "registration_deadline"),
            {"province": "province"}, key=lambda o, k: str(o.year)),
    Section("bloc_years", org.BlocYear, _by("bloc__province"), ("phase",),
            {"bloc": "blocs", "emulation_year": "years", "leader_unit": "units"},
            key=lambda o, k: f"{k['blocs'][o.bloc_id]}/{k['years'][o.emulation_year_id]}"),
    Section("memberships", org.Membership, _by(BLOC_YEAR), (),
            {"bloc_year": "bloc_years", "unit": "units", "emulation_year": "years"}),
    Section("past_leaders", org.PastLeader, _by("bloc__province"),
            ("document_number", "document_date", "recorded_at"),
            {"bloc": "blocs", "emulation_year": "years", "leader_unit": "units",
             "recorded_by": "users"},
            key=lambda o, k: f"{k['blocs'][o.bloc_id]}/{k['years'][o.emulation_year_id]}"),
    Section("role_assignments", org.RoleAssignment,
            lambda p: Q(province=p) | Q(bloc_year__bloc__province=p) | Q(unit__province=p),
            ("role",), {"user": "users", "province": "province", "bloc_year": "bloc_years",
                        "unit": "units"}),
    # pledges
    Section("registrations", pledges.Registration, _by("unit__province"),
            ("status", "submitted_at", "created_at"),
            {"unit": "units", "emulation_year": "years", "bloc_year": "bloc_years",
             "submitted_by": "users"},
            key=lambda o, k: f"{k['units'][o.unit_id]}/{k['years'][o.emulation_year_id]}"),
    Section("registered_titles", pledges.RegisteredTitle, _by("registration__unit__province"),
            ("award_form",), {"registration": "registrations"}),
    Section("targets", pledges.Target, _by("registration__unit__province"),
            ("indicator", "baseline", "target_value", "unit_of_measure", "deadline",
             "latest_actual", "latest_reported_on"), {"registration": "registrations"}),
    Section("check_ins", pledges.CheckIn, _by("target__registration__unit__province"),
            ("reported_on", "actual_value", "note", "created_at"),
            {"target": "targets", "author": "users"}),
    Section("evidence", pledges.Evidence, _by("unit__province"),
            ("original_name", "kind", "size", "sha256", "uploaded_at"),
            {"check_in": "check_ins", "unit": "units", "uploaded_by": "users"},
            files=("file",)),
    Section("pledge_signings", pledges.PledgeSigning, _by(BLOC_YEAR), ("signed_on", "place"),
            {"bloc_year": "bloc_years"}, key=lambda o, k: k["bloc_years"][o.bloc_year_id]),
    Section("pledge_signatures", pledges.PledgeSignature, _by("signing__" + BLOC_YEAR),
            ("status", "signer_name", "absence_reason"),
            {"signing": "pledge_signings", "unit": "units"}),
    # scoring
    Section("criteria_tables", scoring.CriteriaTable, _by(BLOC_YEAR),
            ("version", "name", "total", "is_locked", "locked_at", "reason", "created_at"),
            {"bloc_year": "bloc_years", "copied_from": "criteria_tables",
             "created_by": "users"},
            key=lambda o, k: f"{k['bloc_years'][o.bloc_year_id]}/v{o.version}"),
    Section("criteria", scoring.Criterion, _by(TABLE),
            ("code", "title", "is_section", "max_points", "scoring_method", "params",
             "evidence_required", "position"),
            {"table": "criteria_tables", "parent": "criteria"},
            key=lambda o, k: f"{k['criteria_tables'][o.table_id]}/{o.code}"),
    Section("score_sheets", scoring.ScoreSheet, _by(TABLE),
            ("kind", "status", "submitted_at", "total", "bonus", "penalty", "final",
             "created_at"),
            {"table": "criteria_tables", "scored_unit": "units", "scorer_unit": "units",
             "submitted_by": "users"}),
    Section("section_scores", scoring.SectionScore, _by("sheet__" + TABLE), ("points",),
            {"sheet": "score_sheets", "section": "criteria"}),
    Section("scores", scoring.Score, _by("sheet__" + TABLE),
            ("points", "raw", "note", "updated_at"),
            {"sheet": "score_sheets", "criterion": "criteria", "updated_by": "users"}),
    Section("score_evidence", scoring.ScoreEvidence, _by("unit__province"),
            ("original_name", "kind", "size", "sha256", "uploaded_at"),
            {"score": "scores", "unit": "units", "uploaded_by": "users"}, files=("file",)),
    Section("peer_assignments", scoring.PeerAssignment, _by(TABLE), (),
            {"table": "criteria_tables", "scorer_unit": "units", "scored_unit": "units"}),
    Section("conflict_declarations", scoring.ConflictDeclaration, _by(BLOC_YEAR),
            ("reason", "declared_at"),
            {"bloc_year": "bloc_years", "unit": "units", "other_unit": "units",
             "declared_by": "users"}),
    Section("score_changes", scoring.ScoreChange, _by("score__sheet__" + TABLE),
            ("old_points", "new_points", "old_raw", "new_raw", "reason", "at"),
            {"score": "scores", "author": "users"}),
    Section("imported_values", scoring.ImportedValue, _by("criterion__" + TABLE),
            ("points", "source"), {"criterion": "criteria", "unit": "units"}),
    Section("published_rankings", scoring.PublishedRanking, _by(TABLE),
            ("published_at", "aggregation", "tie_break_chain"),
            {"table": "criteria_tables", "published_by": "users"}),
    Section("ranking_rows", scoring.RankingRow, _by("ranking__" + TABLE),
            ("rank", "final_numerator", "final_denominator", "tied", "tie_needs",
             "decided_by", "method", "trimmed", "peer_count", "figures"),
            {"ranking": "published_rankings", "unit": "units"}),
    # voting (a ballot has no voter: nothing here links one to a participation)
    Section("conferences", voting.Conference, _by(BLOC_YEAR),
            ("held_at", "place", "chair", "secretary", "guests", "agenda", "ended_at"),
            {"bloc_year": "bloc_years"}, key=lambda o, k: k["bloc_years"][o.bloc_year_id]),
    Section("attendance", voting.Attendance, _by("conference__" + BLOC_YEAR),
            ("present", "absence_reason", "delegate_name"),
            {"conference": "conferences", "unit": "units"}),
    Section("counting_committee", voting.CountingCommitteeMember,
            _by("conference__" + BLOC_YEAR), ("name", "role"),
            {"conference": "conferences", "user": "users"}),
    Section("polls", voting.Poll, _by("conference__" + BLOC_YEAR),
            ("kind", "award_form", "title", "quota", "state", "rulebook",
             "quorum_comparison", "quorum_numerator", "quorum_denominator",
             "threshold_comparison", "threshold_numerator", "threshold_denominator", "base",
             "vote_per", "excess_order", "percentage_decimals", "citation", "members",
             "present", "result", "digest"),
            {"conference": "conferences", "run_off_of": "polls"}),
    Section("candidates", voting.Candidate, _by("poll__conference__" + BLOC_YEAR),
            ("position", "score_numerator", "score_denominator", "rank"),
            {"poll": "polls", "unit": "units"},
            key=lambda o, k: f"{k['polls'][o.poll_id]}/{k['units'][o.unit_id]}"),
    Section("voting_cards", voting.VotingCard, _by("poll__conference__" + BLOC_YEAR),
            ("delegate_name", "token_hash", "expires_at", "used", "revoked"),
            {"poll": "polls", "unit": "units"}, key=lambda o, k: o.token_hash),
    Section("participations", voting.Participation, _by("poll__conference__" + BLOC_YEAR),
            ("voter_key", "source"), {"poll": "polls", "unit": "units"}, unordered=True),
    Section("ballots", voting.Ballot, _by("poll__conference__" + BLOC_YEAR),
            ("receipt_code", "valid", "source"), {"poll": "polls"}, unordered=True,
            key=lambda o, k: f"{k['polls'][o.poll_id]}/{o.receipt_code}"),
    Section("ballot_choices", voting.BallotChoice,
            _by("ballot__poll__conference__" + BLOC_YEAR), (),
            {"ballot": "ballots", "candidate": "candidates"}, unordered=True),
    Section("paper_ballot_issues", voting.PaperBallotIssue,
            _by("poll__conference__" + BLOC_YEAR), ("issued", "unreturned"), {"poll": "polls"}),
    Section("paper_ballot_codes", voting.PaperBallotCode,
            _by("poll__conference__" + BLOC_YEAR), ("code", "entered"), {"poll": "polls"},
            unordered=True),
    # awards
    Section("unit_year_facts", awards.UnitYearFacts, _by("unit__province"),
            (*awards.UnitYearFacts.FACT_FIELDS, "note", "entered_at", "confirmed_at",
             "confirmed_as", "returned_at", "return_reason"),
            {"unit": "units", "emulation_year": "years", "entered_by": "users",
             "confirmed_by": "users", "returned_by": "users"}),
    Section("facts_evidence", awards.FactsEvidence, _by("unit__province"),
            ("original_name", "kind", "size", "sha256", "uploaded_at"),
            {"facts": "unit_year_facts", "unit": "units", "uploaded_by": "users"},
            files=("file",)),
    Section("leader_decisions", awards.LeaderDecision, _by(BLOC_YEAR),
            ("number", "decision_date", "reason", "recorded_at"),
            {"bloc_year": "bloc_years", "next_bloc_year": "bloc_years",
             "leader_unit": "units", "elected_unit": "units", "recorded_by": "users"},
            key=lambda o, k: k["bloc_years"][o.bloc_year_id]),
    Section("award_decisions", awards.AwardDecision, _by("emulation_year__province"),
            ("number", "decision_date", "signer", "recorded_at"),
            {"emulation_year": "years", "recorded_by": "users"},
            key=lambda o, k: f"{k['years'][o.emulation_year_id]}/{o.number}"),
    Section("proposals", awards.Proposal, _by(BLOC_YEAR),
            ("state", "conference_date", "rulebook", "explanation", "return_reason",
             "created_at", "submitted_at", "accepted_at"),
            {"bloc_year": "bloc_years", "created_by": "users"},
            key=lambda o, k: k["bloc_years"][o.bloc_year_id],
            json={"explanation": (_explanation_out, _explanation_in)}),
    Section("proposal_lines", awards.ProposalLine, _by("proposal__" + BLOC_YEAR),
            ("award_form", "position", "votes", "explanation", "outcome"),
            {"proposal": "proposals", "unit": "units", "decision": "award_decisions"}),
    Section("awards", awards.Award, _by("unit__province"),
            ("award_form", "decision_number", "decision_date", "signer", "recorded_at"),
            {"unit": "units", "emulation_year": "years", "recorded_by": "users",
             "decision": "award_decisions", "proposal_line": "proposal_lines"}),
    # documents: the numbering registry and the issued documents (DOCX as issued)
    Section("number_counters", documents.NumberCounter, None,
            ("issuer", "symbol", "year", "last_number"), {},
            json={"issuer": (_issuer_out, _issuer_in)}),
    Section("documents", documents.Document, _by("province"),
            ("kind", "subject_id", "issuer", "symbol", "year", "number", "reference",
             "issued_on", "issued_at"),
            {"province": "province", "issued_by": "users"}, files=("docx",),
            json={"issuer": (_issuer_out, _issuer_in)}),
)
# Fields added to this version after its first files: absent means this value.
FIELDS_ADDED_LATER = {(org.Province, "kind"): org.Province.Kind.TINH,
                      (awards.UnitYearFacts, "discipline_ended_on"): None}
# Sections added to this version after its first files: absent means no rows.
ADDED_LATER = ("past_leaders",)
USER_FIELDS = ("full_name", "first_name", "last_name", "email", "is_active", "date_joined")
BY_NAME = {s.name: s for s in SECTIONS}


# --- export ----------------------------------------------------------------------------

def _plain(value):
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
    keys = {"users": dict(User.objects.values_list("pk", "username"))}
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
        row["result"] = _plain(_result_out(obj.result, keys))
    return with_checksum({
        "format": FORMAT,
        "version": VERSION,
        "exporter": exporter_version(),
        "created_at": _plain(timezone.now()),
        "province": province.code,
        "sections": {"users": _export_users(users), **sections},
        "files": {sha: files[sha] for sha in sorted(files)},
    })


def checksum(document: dict) -> str:
    """SHA-256 of the document without its own `checksum`, over a canonical JSON text
    (sorted keys, no spaces), so indentation or key order in the file do not matter. It
    catches a file damaged or edited by hand; an editor who recomputes it is caught by the
    published polls' digests (`_verify_published_polls`), printed in the minutes."""
    body = {k: v for k, v in document.items() if k != "checksum"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def with_checksum(document: dict) -> dict:
    return {**{k: v for k, v in document.items() if k != "checksum"},
            "checksum": checksum(document)}


def _export_users(pks):
    return [{"key": user.username, **{name: _plain(getattr(user, name))
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
        row[name] = _plain(value)
    for name, target in section.refs.items():
        pk = getattr(obj, f"{name}_id")
        if pk is not None and target == "users":
            users.add(pk)
        row[name] = None if pk is None else keys[target][pk]
    for name in section.files:
        content = _file_bytes(obj, name)
        sha = hashlib.sha256(content).hexdigest()
        files[sha] = {"size": len(content), "base64": base64.b64encode(content).decode()}
        row[name] = sha
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


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


# --- import ----------------------------------------------------------------------------

def loads(text) -> dict:
    """Parse and check the envelope; ExportFormatError with Vietnamese sentences."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeError) as exc:
        raise ExportFormatError("Tệp không phải JSON hợp lệ (tệp xuất dữ liệu tỉnh).") from exc
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
    return document


def _lookup(pks, section, key):
    if key is None:
        return None
    try:
        return pks[section][key]
    except (KeyError, TypeError):
        raise ExportFormatError(
            f"Tham chiếu «{key}» tới mục «{section}» không có trong tệp.") from None


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


AUTO_TIMES = {name for name in ("created_at", "uploaded_at", "declared_at", "at",
                                "recorded_at", "issued_at", "updated_at")}


def import_province(document: dict, actor=None) -> org.Province:
    """Create the province and everything in the document, all or nothing."""
    sections = document["sections"]
    code = sections["province"][0].get("key")
    if not isinstance(code, str) or not code:
        raise ExportFormatError("Mục «province» thiếu mã tỉnh («key»).")
    stored = []
    try:
        with transaction.atomic():
            if org.Province.objects.filter(code=code).exists():
                raise Conflict(f"Tỉnh mã «{code}» đã có trong hệ thống: chỉ nhập được vào nơi "
                               "chưa có tỉnh này (không ghi gì).")
            pks = {"users": _import_users(sections["users"])}
            for section in SECTIONS:
                _import_section(section, sections[section.name], pks, document["files"],
                                stored)
            for index, row in enumerate(sections["polls"], 1):
                voting.Poll.objects.filter(pk=pks["polls"][str(index)]).update(
                    result=_value("polls", index, voting.Poll, "result",
                                  _result_in(row["result"], pks)))
            digests = _verify_published_polls(sections["polls"], pks)
            province = org.Province.objects.get(code=code)
            audit.record(actor, "province.imported", province, province_id=province.pk,
                         after={"code": code, "exporter": document.get("exporter"),
                                "created_at": document.get("created_at"),
                                "checksum": document.get("checksum"),
                                "published_digests": digests,
                                "rows": sum(len(rows) for rows in sections.values())})
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


def _verify_published_polls(rows, pks) -> dict:
    """Each published poll's box, as imported, must hash to the digest it was published
    with (the one in the minutes and on the public page): a ballot edited in the file,
    even with the file's checksum recomputed, is refused. Poll key → digest, for the
    audit event."""
    from thidua.voting.services import stored_box_digest

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
    if model is org.BlocYear:
        for obj, row in zip(objs, rows, strict=True):
            obj.deputy_units.set([_lookup(pks, "units", k) for k in row["deputy_units"]])
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
                value = f"{kind}:{_lookup(pks, VOTERS[kind], key)}"
            else:
                raise ExportFormatError(f"{_where(section.name, index, name)}: khóa người bỏ "
                                        f"phiếu «{value}» không hợp lệ.")
        elif name == "subject_id":
            subject = DOCUMENT_SUBJECTS.get(row.get("kind"))
            if subject is None:
                raise ExportFormatError(f"{_where(section.name, index, 'kind')}: loại văn bản "
                                        f"«{row.get('kind')}» không được hỗ trợ.")
            value = _lookup(pks, subject, value)
        kwargs[name] = _value(section.name, index, model, name, value)
    for name, target in section.refs.items():
        kwargs[f"{name}_id"] = _lookup(pks, target, row[name])
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
