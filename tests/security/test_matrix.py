"""The full permission matrix (issue 7): every URL of the URL conf and every operation of
the OpenAPI document must have a line in tests/security/matrix.py, and each line is
requested as every role of ROLES and compared with its expected outcome.

A new URL or API operation without a line fails `test_every_url_has_a_line` /
`test_every_api_operation_has_a_line` — add one (run with THIDUA_MATRIX_PRINT=1 to see
the outcomes as they are now, then check each by hand before pasting). Invariants on top
of the lines: anonymous callers get the login redirect / 401; a role outside the
province never gets 200 on a line marked as BN's data, and no 200 answered to a role
outside BN shows a BN name.
"""

import datetime
import functools
import json
import os
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from tests import factories

from scoring.flow import PDF, criteria_inputs, move_to
from thidua.api.api import api
from thidua.awards.models import Proposal, ProposalLine
from thidua.core.evidence import Upload
from thidua.core.models import AuditEvent
from thidua.core.tokens import create_token
from thidua.documents import services as document_services
from thidua.law.award_forms import AwardForm
from thidua.org.domain.phases import Phase
from thidua.org.models import Bloc, BlocYear
from thidua.pledges.models import Evidence
from thidua.scoring import services as scoring_services
from thidua.scoring.models import Criterion
from thidua.voting import services as voting_services
from thidua.voting.models import Conference

from . import matrix
from .matrix import ROLES

PLACEHOLDER = 999_999
# Names shown only to people who may see Bắc Ninh's data (the leak detector).
BN_NAMES = ["Sở Công Thương", "Sở Tài chính", "Khối Kinh tế", "Khối Văn hóa"]


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern),
                            pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern)


def url_names():
    return {name for name, _ in walk(get_resolver().url_patterns)}


@functools.cache
def operations():
    schema = api.get_openapi_schema()
    return {op["operationId"]: (method.upper(), path)
            for path, ops in schema["paths"].items() for method, op in ops.items()}


def test_every_url_has_a_line():
    names = {n for n in url_names()
             if not n.startswith("admin:") and not n.startswith("api:")}
    names |= {"api:openapi-json", "api:openapi-view", "api:api-root"} & url_names()
    assert sorted(names - set(matrix.WEB)) == []
    assert sorted(set(matrix.WEB) - names) == []  # no line for a URL that is gone


def test_every_api_operation_has_a_line():
    ops = operations()
    assert sorted(set(ops) - set(matrix.API)) == []
    assert sorted(set(matrix.API) - set(ops)) == []


def test_the_lines_keep_the_invariants():
    for name, (_, _, expected, flags) in {**matrix.WEB, **matrix.API}.items():
        assert set(expected) == set(ROLES), name
        if "public" not in flags:
            assert expected["anonymous"] in {"login", 401}, name
        if "bn" in flags:
            assert expected["other_secretariat"] != 200, name
            assert expected["nobody"] != 200, name


def _voting_objects(world):
    """KT's conference with everyone present, an open award poll with its cards issued,
    one card used (its receipt) and one card left (its token)."""
    leader = world.actor("leader")
    kt = world.bloc_years["KT"]
    before = BlocYear.objects.get(pk=kt.pk).phase
    conference = factories.conference(world, present=factories.KT)
    poll = voting_services.open_poll(leader, factories.award_poll(world, conference))
    cards = voting_services.issue_cards(leader, poll)
    candidate = poll.candidates.order_by("pk").first()
    receipt = voting_services.cast_with_card(cards[0].token, poll.pk, [candidate.pk])
    # The poll opened in the conference phase; the matrix's other lines (pledges, scoring)
    # see KT in its own phase, as before.
    BlocYear.objects.filter(pk=kt.pk).update(phase=before)
    kt.phase = before
    return {"conference": conference.pk, "poll": poll.pk, "card": cards[1].token,
            "receipt": receipt, "candidate": candidate.pk}


def _scoring_objects(world):
    """VX (the officer's own province, not its bloc) in self-assessment with its criteria
    table; VX1's self sheet opened by VX1's officer, with a scanned file on criterion I.1."""
    vx = world.bloc_years["VX"]
    table = scoring_services.create_table(world.actor("admin"), vx, name="Bảng tiêu chí VX",
                                          total=Decimal(100), criteria=criteria_inputs())
    move_to(world, vx, Phase.SELF_ASSESSMENT)
    outsider = world.actor("outsider")
    sheet = scoring_services.open_self_assessment(outsider, vx, world.units["VX1"])
    evidence, = scoring_services.attach_evidence(outsider, sheet, "I.1",
                                                 [Upload("bao-cao.pdf", PDF)])
    return {"vx": vx.pk, "vx_unit": world.units["VX1"].pk, "table": table.pk,
            "sheet": sheet.pk, "criterion": Criterion.objects.get(table=table, code="I.2").pk,
            "score_evidence": evidence.pk}


def _proposal_objects(world):
    """KT's proposal dossier as the bloc sent it (submitted, one line), for the steps only
    the province may take (return, accept) and the bloc may not."""
    proposal = Proposal.objects.create(
        bloc_year=world.bloc_years["KT"], state=Proposal.State.SUBMITTED,
        conference_date=datetime.date(world.year.year, 12, 20), rulebook="vn-2024",
        submitted_at=timezone.now(), created_by=world.users["leader"])
    ProposalLine.objects.create(proposal=proposal, unit=world.units["KT2"],
                                award_form=AwardForm.CERTIFICATE_OF_MERIT, votes=5,
                                explanation="5 phiếu / 5 thành viên = 100,00 % > 1/2: đạt")
    return {"proposal": proposal.pk, "proposal_action": "return"}


def _facts_objects(world):
    """KT1's year facts (the officer's own unit, the bloc's leader unit) entered by its
    officer with a file, waiting for the province's confirmation."""
    from thidua.awards import services as facts_services

    officer = world.actor("officer")
    facts = facts_services.enter_facts(officer, world.units["KT1"], world.year,
                                       {"party_rating": "good", "pending_matter": "none"},
                                       note="Quyết định xếp loại số 12/QĐ-ĐU")
    evidence, = facts_services.attach_facts_evidence(officer, facts,
                                                     [Upload("xep-loai.pdf", PDF)])
    return {"facts_evidence": evidence.pk}


def _document_objects(world, registration):
    """The officer's registration form issued (a numbered document) and a PDF of its draft
    requested (a queued job, its requester's own)."""
    officer = world.actor("officer")
    document = document_services.issue(officer, "dang-ky", registration.pk)
    job = document_services.request_pdf(officer, "dang-ky", registration.pk)
    return {"document": document.pk, "job": job.pk}


@pytest.fixture
def objects(world):
    """The ids a line's parameters name, all real rows in Bắc Ninh: a submitted
    registration with a target, a check-in and its evidence (bloc KT, in progress); KT's
    conference with an open poll; VX in self-assessment with a sheet; an issued document
    and a queued PDF job. "missing" stays for lines that want an id that does not exist."""
    from web.conftest import register, report, start_year

    registration = register(world, "officer", "KT1")
    start_year(world)
    target = registration.targets.first()
    report(world, "officer", target)
    evidence = Evidence.objects.get()
    token, _ = create_token(world.users["peer"], "script")
    return {
        "code": "BN", "year": world.year.year, "province": world.province.pk,
        "bloc_year": world.bloc_years["KT"].pk, "unit": world.units["KT1"].pk,
        "unit2": world.units["KT2"].pk, "vx_unit": world.units["VX1"].pk,
        "imported_code": "III.1",
        "bloc": Bloc.objects.get(province=world.province, code="KT").pk,
        "registration": registration.pk, "target": target.pk,
        "check_in": evidence.check_in_id, "evidence": evidence.pk, "token": token.pk,
        "missing": PLACEHOLDER, "kind": "dang-ky", "action": "submit",
        "statistics_form": "0601", "poll_action": "close", "signer_role": "chair",
        "kt_units": [world.units[f"KT{i}"].pk for i in range(1, 6)],
        "user": world.users["peer"].pk, "user_role": world.users["peer"].roles.get().pk,
        **_voting_objects(world), **_scoring_objects(world),
        **_document_objects(world, registration), **_proposal_objects(world),
        **_facts_objects(world),
    }


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/dang-nhap/?next=") or location.startswith("/admin/login/"):
            return "login"
    return response.status_code


def _day(objects, month=12, day=1):
    return datetime.date(objects["year"], month, day).isoformat()


# A valid body for every API write operation that takes one, so that the permission
# check decides the outcome (not the body's validation, 422): the allowed roles succeed
# (or meet the state's own refusal, 409), the others get 403/404.
BODIES = {
    "thidua_api_awards_assemble": lambda o: {"conference_date": None},
    "thidua_api_awards_step": lambda o: {"reason": "Thiếu báo cáo thành tích"},
    "thidua_api_awards_record_decision": lambda o: {
        "number": "15/QĐ-UBND", "decision_date": _day(o, 12, 30), "signer": "Chủ tịch UBND tỉnh",
        "awarded": [], "not_awarded": []},
    "thidua_api_awards_open_next_year": lambda o: {
        "leader_unit_id": o["unit2"], "deputy_unit_ids": [o["unit"]],
        "decision": {"number": "12/QĐ-UBND", "decision_date": _day(o, 1, 5),
                     "reason": "Hội nghị không bầu được Trưởng khối"}},
    "thidua_api_documents_request_pdf": lambda o: {"document_id": None},
    "thidua_api_facts_enter_facts": lambda o: {"targets_exceeded": True,
                                               "union_rating": "no_organisation"},
    "thidua_api_facts_return_facts": lambda o: {"reason": "Thiếu quyết định xếp loại"},
    "thidua_api_org_move_phase": lambda o: {"target": "self_assessment", "reason": ""},
    "thidua_api_pledges_set_titles": lambda o: {"award_forms": ["certificate_of_merit"]},
    "thidua_api_pledges_add_target": lambda o: {
        "indicator": "Số thủ tục trực tuyến toàn trình", "target_value": "120",
        "unit_of_measure": "thủ tục", "deadline": _day(o, 12, 31), "baseline": "80"},
    "thidua_api_pledges_withdraw": lambda o: {"reason": "Đăng ký lại chỉ tiêu"},
    "thidua_api_pledges_create_check_in": lambda o: {
        "reported_on": datetime.date.today().isoformat(), "actual_value": "93",
        "note": "Báo cáo quý"},
    "thidua_api_pledges_put_signature": lambda o: {
        "signed_on": datetime.date.today().isoformat(), "place": "Bắc Ninh",
        "status": "signed", "signer_name": "Nguyễn Văn An", "absence_reason": ""},
    "thidua_api_scoring_create_table": lambda o: {
        "name": "Bảng tiêu chí mới", "total": "100", "criteria": [
            {"code": "I", "title": "Thực hiện nhiệm vụ", "max_points": "100",
             "method": "free"}]},
    "thidua_api_scoring_copy_table": lambda o: {"source_table_id": o["table"]},
    "thidua_api_scoring_open_peer": lambda o: {"scorer_unit_id": o["unit"],
                                               "scored_unit_id": o["unit2"]},
    "thidua_api_scoring_set_imported": lambda o: {
        "source": "Sở Nội vụ — PAR INDEX", "values": [{"unit_id": o["vx_unit"], "points": "12"}]},
    "thidua_api_scoring_set_scores": lambda o: {"scores": [{"code": "I.2", "points": "5"}]},
    "thidua_api_scoring_appraise": lambda o: {"code": "I.2", "points": "4",
                                              "reason": "Thiếu biên bản"},
    "thidua_api_setup_create_unit": lambda o: {"code": "KT9", "name": "Sở Khoa học"},
    "thidua_api_setup_rename_unit": lambda o: {"name": "Sở Công Thương tỉnh"},
    "thidua_api_setup_create_bloc": lambda o: {"code": "NC", "kind": "khoi",
                                               "name": "Khối Nội chính"},
    "thidua_api_setup_rename_bloc": lambda o: {"name": "Khối Kinh tế tổng hợp",
                                               "short_name": None},
    "thidua_api_setup_create_year": lambda o: {"year": o["year"] + 1,
                                               "registration_deadline": None},
    "thidua_api_setup_set_deadline": lambda o: {"registration_deadline": _day(o, 4, 15)},
    "thidua_api_setup_set_bloc_size": lambda o: {"min_bloc_size": 3, "max_bloc_size": 15},
    "thidua_api_setup_create_bloc_year": lambda o: {
        "year": o["year"], "members": o["kt_units"], "leader": o["unit"],
        "deputies": [o["unit2"]]},
    "thidua_api_tokens_make_token": lambda o: {"name": "Kịch bản báo cáo"},
    "thidua_api_council_choose": lambda o: {
        "minutes_number": "05/BB-HĐTĐKT", "meeting_date": _day(o, 12, 28),
        "chosen": [o["unit"]]},
    "thidua_api_history_add_award": lambda o: {
        "year": o["year"] - 3, "unit_id": o["unit"], "award_form": "certificate_of_merit",
        "decision_number": "20/QĐ-UBND",
        "decision_date": datetime.date(o["year"] - 2, 1, 20).isoformat()},
    "thidua_api_history_add_leader": lambda o: {
        "year": o["year"] - 3, "bloc_id": o["bloc"], "unit_id": o["unit"],
        "document_number": "3/QĐ-UBND",
        "document_date": datetime.date(o["year"] - 4, 12, 30).isoformat()},
    "thidua_api_lineage_add_event": lambda o: {
        "kind": "rename", "predecessor_ids": [o["unit"]], "successor_ids": [o["unit2"]],
        "effective_date": datetime.date(o["year"], 1, 1).isoformat(),
        "document_number": "45/QĐ-UBND",
        "document_date": datetime.date(o["year"] - 1, 12, 28).isoformat()},
    "thidua_api_lineage_remove_event": lambda o: {"reason": "Nhập nhầm đơn vị"},
    "thidua_api_history_remove_award": lambda o: {"reason": "Nhập nhầm năm"},
    "thidua_api_history_remove_leader": lambda o: {"reason": "Nhập nhầm năm"},
    "thidua_api_setup_set_bloc_deadline": lambda o: {
        "registration_deadline": _day(o, 9, 30), "reason": "Khối thành lập sau 1/7"},
    "thidua_api_setup_set_kind": lambda o: {"kind": "thanh_pho"},
    "thidua_api_voting_create_conference": lambda o: {
        "held_at": f"{_day(o, 12, 20)}T08:00:00+07:00", "place": "Hội trường tỉnh",
        "chair": "Nguyễn Văn A", "secretary": "Trần Thị B"},
    "thidua_api_voting_update_conference": lambda o: {
        "held_at": Conference.objects.get(pk=o["conference"]).held_at.isoformat(),
        "place": "Nhà văn hóa tỉnh", "chair": "Nguyễn Văn A", "secretary": "Trần Thị B",
        "ended_at": "23:59"},
    "thidua_api_voting_record_attendance": lambda o: {"present": True,
                                                      "delegate_name": "Lê Văn C"},
    "thidua_api_voting_record_roll_call": lambda o: {
        "rows": [{"unit_id": o["unit"], "present": True, "delegate_name": "Lê Văn C"}]},
    "thidua_api_voting_create_poll": lambda o: {"kind": "award_proposal",
                                                "award_form": "provincial_flag"},
    "thidua_api_voting_set_candidates": lambda o: {"unit_ids": o["kt_units"]},
    "thidua_api_voting_cast_as_delegate": lambda o: {"choices": [o["candidate"]]},
    "thidua_api_voting_check_receipt_posted": lambda o: {"receipt_code": o["receipt"]},
    "thidua_api_voting_cast_with_card": lambda o: {"token": o["card"],
                                                   "choices": [o["candidate"]]},
    "thidua_api_voting_issue_paper": lambda o: {"unit_ids": [o["unit"]]},
    "thidua_api_voting_enter_paper": lambda o: {"receipt_code": o["receipt"],
                                                "choices": [o["candidate"]]},
    "thidua_api_voting_correct_paper": lambda o: {"receipt_code": o["receipt"],
                                                  "choices": [o["candidate"]]},
    "thidua_api_voting_reconcile": lambda o: {"unreturned": 0},
    "thidua_api_users_create_user": lambda o: {
        "username": "canbo.moi", "full_name": "Lê Thị Hoa", "role": "delegate",
        "unit_id": o["unit"]},
    "thidua_api_users_grant_role": lambda o: {"role": "delegate", "unit_id": o["unit2"]},
    "thidua_api_users_set_active": lambda o: {"active": False, "reason": "Nghỉ hưu"},
    "thidua_api_signers_set_unit_signer": lambda o: {
        "authority": "KT.", "on_behalf_of": "Giám đốc", "title": "Phó Giám đốc",
        "name": "Nguyễn Văn Hải"},
    "thidua_api_signers_set_conference_signer": lambda o: {
        "title": "Giám đốc Sở Công Thương", "name": "Nguyễn Văn An"},
}
UPLOADS = {"thidua_api_pledges_upload_evidence", "thidua_api_facts_upload_facts_evidence",
           "thidua_api_history_import_workbook"}
# Multipart bodies other than a lone PDF: a well-formed request the service then judges
# (the merger: scope and permission first, then the file — not an export: 400).
MULTIPART = {"thidua_api_merger_merge_province": lambda o: {
    "file": SimpleUploadedFile("bac-giang.json", b"{}", "application/json"),
    "merged_on": "2025-07-01", "resolution": "Nghị quyết số 202/2025/QH15",
    "dry_run": "true"}}
# The same for the main web forms (the others are posted empty: their 4xx/3xx is stated).
WEB_BODIES = {
    "setup_unit_add": lambda o: {"code": "KT9", "name": "Sở Khoa học"},
    "setup_unit_rename": lambda o: {"name": "Sở Công Thương tỉnh"},
    "setup_bloc_add": lambda o: {"code": "NC", "kind": "khoi", "name": "Khối Nội chính"},
    "setup_bloc_rename": lambda o: {"name": "Khối Kinh tế tổng hợp", "short_name": ""},
    "setup_year_add": lambda o: {"year": o["year"] + 1},
    "setup_year_deadline": lambda o: {"registration_deadline": _day(o, 4, 15)},
    "setup_bloc_size": lambda o: {"min_bloc_size": 3, "max_bloc_size": 15},
    "registration_withdraw": lambda o: {"reason": "Đăng ký lại chỉ tiêu"},
    "award_proposal_step": lambda o: {"reason": "Thiếu báo cáo thành tích của Sở Tài chính"},
    "award_facts_return": lambda o: {"reason": "Thiếu quyết định xếp loại Công đoàn"},
    "voting_conference_save": lambda o: {
        "held_at": f"{_day(o, 12, 20)}T08:00", "place": "Hội trường tỉnh",
        "chair": "Nguyễn Văn A", "secretary": "Trần Thị B"},
    "user_create": lambda o: {"username": "canbo.moi", "full_name": "Lê Thị Hoa",
                              "role": "delegate", "scope": f"unit:{o['unit']}"},
    "role_grant": lambda o: {"role": "delegate", "scope": f"unit:{o['unit2']}"},
    "user_deactivate": lambda o: {"reason": "Nghỉ hưu"},
    "unit_signer": lambda o: {"vai_tro": "head", "head-authority": "",
                              "head-title": "Giám đốc", "head-name": "Nguyễn Văn Hải"},
    "conference_signers": lambda o: {"vai_tro": "chair", "chair-authority": "",
                                     "chair-title": "Giám đốc Sở Công Thương",
                                     "chair-name": "Nguyễn Văn An"},
    "voting_roll_call": lambda o: {"unit": [str(o["unit"])], f"co_mat_{o['unit']}": "1",
                                   f"dai_bieu_{o['unit']}": "Lê Văn C"},
}


def call(client, method, url, body=None, upload=False, form=None):
    if method == "GET":
        return client.get(url)
    if form is not None:
        return client.post(url, form)
    if isinstance(upload, dict):
        return client.post(url, upload)
    if upload:
        return client.post(url, {"file": SimpleUploadedFile("bien-ban.pdf", PDF,
                                                            "application/pdf")})
    return getattr(client, method.lower())(url, json.dumps(body or {}),
                                           content_type="application/json")


# Allowed writes that may leave every row as it was (their answer is the state).
# Entering the same year facts twice (the officer, then the province) records nothing new.
SAME = {"thidua_api_facts_enter_facts"}


# Rows that change on every request whatever it does (sessions, rate counters, sign-in
# bookkeeping), left out of the "nothing changed" fingerprint.
BOOKKEEPING = {"sessions", "core_ratecounter", "axes_accessattempt", "axes_accesslog",
               "axes_accessfailurelog", "core_apitoken"}


def fingerprint():
    """The row count of every table and the audit log's last id: a refused request must
    leave both as they were."""
    counts = {model._meta.db_table: model._default_manager.count()
              for model in apps.get_models()
              if model._meta.managed and model._meta.db_table not in BOOKKEEPING
              and not model._meta.db_table.startswith("django_")}
    counts["audit"] = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return counts


def body_text(response):
    if getattr(response, "streaming", False):
        # Reading it to the end closes it the way the test client expects (closing it
        # directly would fire request_finished and close the test's connection).
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def check_line(world, client, objects, kind, name, role):
    method, params, expected, flags = (matrix.WEB if kind == "web" else matrix.API)[name]
    kwargs = {param: objects[key] for param, key in params.items()}
    if kind == "web":
        url = reverse(name, kwargs=kwargs)
    else:
        _, path = operations()[name]
        url = re.sub(r"{(\w+)}", lambda m: str(kwargs[m.group(1)]), path)
    client.logout()
    if role != "anonymous":
        client.force_login(world.users[role])
    writes = method != "GET"
    before = fingerprint() if writes else None
    bodies = BODIES if kind == "api" else {}
    form = WEB_BODIES[name](objects) if kind == "web" and name in WEB_BODIES else None
    response = call(client, method, url, bodies.get(name, lambda o: None)(objects),
                    upload=MULTIPART[name](objects) if name in MULTIPART else name in UPLOADS,
                    form=form)
    got = outcome(response)
    text = body_text(response)
    if writes and isinstance(got, int):
        changed = {k: v for k, v in fingerprint().items() if before.get(k) != v}
        if got >= 400:
            assert changed == {}, (name, role, got, changed)  # refused: nothing written
        elif (kind == "api" and name in BODIES or name in WEB_BODIES) and name not in SAME:
            assert changed, (name, role, got)  # allowed: written (and audited)
    # Public lines show what Bắc Ninh published (KT's submitted proposal): names included.
    if got == 200 and role in {"nobody", "other_secretariat"} and not flags & {"bearer",
                                                                              "public"}:
        leaked = [n for n in BN_NAMES if n in text]
        assert leaked == [], (name, role, leaked)
    return got


def outcomes(world, client, objects, kind, name):
    """Every role's outcome for one line, each line from the same starting state (the
    requests run on the test's connection, so a savepoint undoes what a line changed)."""
    sid = transaction.savepoint_create()
    try:
        return {role: check_line(world, client, objects, kind, name, role)
                for role in ROLES}
    finally:
        transaction.savepoint_rollback(sid)


SHARDS = 4  # a few lines' worth of tests, so the suite's workers share them


@pytest.mark.parametrize(("kind", "registry", "shard"), [
    pytest.param(kind, registry, shard, id=f"{kind}-{shard + 1}-of-{SHARDS}")
    for kind, registry in (("web", matrix.WEB), ("api", matrix.API))
    for shard in range(SHARDS)])
def test_every_line_of_the_matrix(world, client, objects, kind, registry, shard):
    """One world for a quarter of the lines (building it per line took minutes; one test
    for every line kept one worker busy for two minutes at the end of the suite); every
    mismatch listed. The shards together are every line, each once."""
    mismatches = {}
    for name in sorted(registry)[shard::SHARDS]:
        got = outcomes(world, client, objects, kind, name)
        if got != registry[name][2]:
            mismatches[name] = got
    assert mismatches == {}, "\n".join(f"{n}: {g}" for n, g in mismatches.items())


ADMIN_SAMPLE = ["admin:index", "admin:core_user_changelist", "admin:core_auditevent_changelist"]


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_site_is_for_staff_only(world, client, role):
    """The admin namespace as one rule: everyone but staff is sent to its login."""
    client.logout()
    if role != "anonymous":
        client.force_login(world.users[role])
    for name in ADMIN_SAMPLE:
        assert outcome(client.get(reverse(name))) == "login", (name, role)


@pytest.mark.skipif(not os.environ.get("THIDUA_MATRIX_PRINT"), reason="generator")
def test_print_current_outcomes(world, client, objects):  # pragma: no cover
    """THIDUA_MATRIX_PRINT=1: print a line per URL/operation missing from matrix.py,
    with the outcomes as they are now and guessed parameters — review before pasting."""
    guess = {"code": "code", "year": "year", "unit_pk": "unit", "scorer_pk": "unit",
             "scored_pk": "unit2", "bloc_year_id": "bloc_year", "unit_id": "unit",
             "province_id": "province", "bloc_id": "bloc", "registration_id": "registration",
             "target_id": "target", "check_in_id": "check_in", "evidence_id": "evidence",
             "token_id": "token", "job_id": "job", "kind": "kind", "action": "action",
             "receipt_code": "receipt", "slug": "kind"}
    pk_by_prefix = [("tinh/<str:code>/thiet-lap/don-vi/", "unit"),
                    ("tinh/<str:code>/thiet-lap/khoi/", "bloc"), ("khoi/", "bloc_year"),
                    ("don-vi/", "unit"), ("dang-ky/", "registration"), ("chi-tieu/", "target"),
                    ("minh-chung/", "evidence"), ("ma-truy-cap/", "token"),
                    ("van-ban/<slug", "registration")]
    out = []
    routes = dict(walk(get_resolver().url_patterns))
    for name in sorted(routes):
        if name in matrix.WEB or name.startswith("admin:") or (
                name.startswith("api:") and name not in {"api:openapi-json",
                                                         "api:openapi-view", "api:api-root"}):
            continue
        route = routes[name]
        params = {}
        for param in re.findall(r"<(?:\w+:)?(\w+)>", route):
            if param == "pk":
                params[param] = next((k for p, k in pk_by_prefix if route.startswith(p)),
                                     "missing")
            else:
                params[param] = guess.get(param, "missing")
        kwargs = {p: objects[k] for p, k in params.items()}
        url = reverse(name, kwargs=kwargs)
        sid = transaction.savepoint_create()
        results = {}
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(world.users[role])
            response = client.get(url)
            results[role] = outcome(response)
            body_text(response)
        method = "GET" if 405 not in results.values() else "POST"
        if method == "POST":
            for role in ROLES:
                client.logout()
                if role != "anonymous":
                    client.force_login(world.users[role])
                response = call(client, "POST", url)
                results[role] = outcome(response)
                body_text(response)
        transaction.savepoint_rollback(sid)
        out.append(f"    {name!r}: ({method!r}, {params!r}, {results!r}, set()),")
    for op_id, (method, path) in sorted(operations().items()):
        if op_id in matrix.API:
            continue
        params = {p: guess.get(p, "missing") for p in re.findall(r"{(\w+)}", path)}
        kwargs = {p: objects[k] for p, k in params.items()}
        url = re.sub(r"{(\w+)}", lambda m, kw=kwargs: str(kw[m.group(1)]), path)
        sid = transaction.savepoint_create()
        results = {}
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(world.users[role])
            response = call(client, method, url, BODIES.get(op_id, lambda o: None)(objects),
                            upload=op_id in UPLOADS)
            results[role] = outcome(response)
            body_text(response)
        transaction.savepoint_rollback(sid)
        out.append(f"    {op_id!r}: ({method!r}, {params!r}, {results!r}, set()),")
    print("\n".join(out))
