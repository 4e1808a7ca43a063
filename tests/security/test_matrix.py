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

import functools
import os
import re
import uuid

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from thidua.api.api import api
from thidua.core.tokens import create_token
from thidua.org.models import Bloc
from thidua.pledges.models import Evidence

from . import matrix
from .matrix import ROLES

PLACEHOLDER = 999_999
JOB = uuid.UUID("00000000-0000-4000-8000-000000000000")
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


@pytest.fixture
def objects(world):
    """The ids a line's parameters name: BN's data (a submitted registration with a
    target, a check-in and its evidence), and placeholders for objects the world has not."""
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
        "unit2": world.units["KT2"].pk,
        "bloc": Bloc.objects.get(province=world.province, code="KT").pk,
        "registration": registration.pk, "target": target.pk,
        "check_in": evidence.check_in_id, "evidence": evidence.pk, "token": token.pk,
        "missing": PLACEHOLDER, "job": JOB, "kind": "dang-ky", "action": "submit",
        "receipt": "ABCD-EFGH", "statistics_form": "0601",
    }


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/dang-nhap/?next=") or location.startswith("/admin/login/"):
            return "login"
    return response.status_code


def call(client, method, url):
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, "{}", content_type="application/json")


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
    response = call(client, method, url)
    got = outcome(response)
    text = body_text(response)
    if got == 200 and role in {"nobody", "other_secretariat"}:
        leaked = [n for n in BN_NAMES if n in text]
        assert leaked == [], (name, role, leaked)
    return got


def outcomes(world, client, objects, kind, name):
    """Every role's outcome for one line, each line from the same starting state (the
    requests run on the test's connection, so a savepoint undoes what a line changed)."""
    sid = transaction.savepoint()
    try:
        return {role: check_line(world, client, objects, kind, name, role)
                for role in ROLES}
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.parametrize(("kind", "registry"), [("web", matrix.WEB), ("api", matrix.API)])
def test_every_line_of_the_matrix(world, client, objects, kind, registry):
    """One world for all lines (building it per line took minutes); every mismatch listed."""
    mismatches = {}
    for name in sorted(registry):
        got = outcomes(world, client, objects, kind, name)
        if got != registry[name][2]:
            mismatches[name] = got
    assert mismatches == {}


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
        sid = transaction.savepoint()
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
        sid = transaction.savepoint()
        results = {}
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(world.users[role])
            response = call(client, method, url)
            results[role] = outcome(response)
            body_text(response)
        transaction.savepoint_rollback(sid)
        out.append(f"    {op_id!r}: ({method!r}, {params!r}, {results!r}, set()),")
    print("\n".join(out))
