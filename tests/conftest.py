"""Shared fixtures: a small real world built through the services (never mocked).

`world` holds one province with two blocs of five units each for the current year, an
other province with its own bloc (data that must never leak), and one user per role.
"""

import datetime
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import override_settings
from hypothesis import HealthCheck, settings
from tests import factories

from thidua.core.models import User
from thidua.org import services as org_services
from thidua.org.models import Bloc, BlocYear, EmulationYear, Province, Role, RoleAssignment, Unit
from thidua.org.rules import actor_for
from thidua.voting import services as voting_services

PASSWORD = "mat-khau-thu-nghiem-2026"
CI = os.environ.get("CI") == "true"

# Property tests assert behaviour, never speed (speed lives in bench/): on a shared 2-core
# machine running parallel workers, generating a conference can take longer than
# Hypothesis's timing checks allow, which says nothing about the product.
settings.register_profile("thidua", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("thidua")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes its evidence files into its own folder; passwords hash fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """`Client.force_login` stands for a complete sign-in, both factors: it also sets the
    two-factor session flag (core.twofactor.mark_verified), the documented test mechanism
    — the gate itself stays on. Tests of the gate sign in through the form, or call
    `core.twofactor.forget_verification` on the session."""
    from django.test.client import Client

    from thidua.core import twofactor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        twofactor.mark_verified(session, user)
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def make_user(username, role=None, **scope):
    user = User.objects.create_user(username=username, password=PASSWORD,
                                    full_name=username.replace("_", " ").title())
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


@dataclass
class World:
    province: Province
    other_province: Province
    year: object
    other_year: object
    bloc_years: dict = field(default_factory=dict)  # code → BlocYear
    units: dict = field(default_factory=dict)  # code → Unit
    users: dict = field(default_factory=dict)  # name → User

    def actor(self, name):
        user = self.users[name]
        user.__dict__.pop("_thidua_actor", None)
        return actor_for(user)


BLOCS = {  # code → (province code, bloc name, unit names); the first leads, the second deputises
    "KT": ("BN", "Khối Kinh tế", ["Sở Công Thương", "Sở Tài chính", "Sở Xây dựng",
                                  "Đài Phát thanh", "Ban Quản lý dự án"]),
    "VX": ("BN", "Khối Văn hóa", ["Sở Y tế", "Sở Giáo dục", "Báo Bắc Ninh", "Sở Nội vụ",
                                  "Bảo hiểm xã hội"]),
    "HN": ("HN", "Khối Hà Nội", ["Sở Bí mật", "Sở Khác", "Sở Thứ ba", "Sở Thứ tư",
                                 "Sở Thứ năm"]),
}
USERNAMES = {"admin": "quan_tri", "secretariat": "thuong_truc", "other_secretariat":
             "thuong_truc_hn", "leader": "truong_khoi", "officer": "can_bo", "peer":
             "can_bo_khac", "outsider": "can_bo_vx", "delegate": "dai_bieu",
             "nobody": "khong_vai_tro"}


def build_world():
    """Write the world through the services (the provinces, the three blocs' years, one
    user per role)."""
    this_year = datetime.date.today().year
    admin = make_user("quan_tri", Role.SYSTEM_ADMIN)
    system = actor_for(admin)
    provinces = {"BN": Province.objects.create(code="BN", name="Bắc Ninh"),
                 "HN": Province.objects.create(code="HN", name="Hà Nội")}
    years = {code: org_services.ensure_year(system, province, this_year)
             for code, province in provinces.items()}
    bloc_years = {}
    for code, (province_code, name, unit_names) in BLOCS.items():
        province = provinces[province_code]
        bloc = Bloc.objects.create(province=province, code=code, kind=Bloc.Kind.KHOI,
                                   name=name)
        units = [Unit.objects.create(province=province, code=f"{code}{i}", name=unit_name)
                 for i, unit_name in enumerate(unit_names, 1)]
        bloc_years[code] = org_services.create_bloc_year(
            system, bloc, years[province_code], members=units, leader=units[0],
            deputies=[units[1]])
    make_user("thuong_truc", Role.PROVINCE_SECRETARIAT, province=provinces["BN"])
    make_user("thuong_truc_hn", Role.PROVINCE_SECRETARIAT, province=provinces["HN"])
    make_user("truong_khoi", Role.BLOC_LEADER_OFFICER, bloc_year=bloc_years["KT"])
    units = {u.code: u for u in Unit.objects.all()}
    make_user("can_bo", Role.UNIT_OFFICER, unit=units["KT1"])
    make_user("can_bo_khac", Role.UNIT_OFFICER, unit=units["KT2"])
    make_user("can_bo_vx", Role.UNIT_OFFICER, unit=units["VX1"])
    make_user("dai_bieu", Role.DELEGATE, unit=units["KT3"])
    make_user("khong_vai_tro")


def load_world():
    """The world as fresh objects read from the database (a handful of queries), so no test
    sees another's objects in memory."""
    this_year = datetime.date.today().year
    provinces = Province.objects.in_bulk(["BN", "HN"], field_name="code")
    years = {y.province_id: y for y in EmulationYear.objects.filter(
        province__in=provinces.values(), year=this_year)}
    by_id = {province.id: province for province in provinces.values()}
    units = {u.code: u for u in Unit.objects.filter(province__in=provinces.values())}
    # The related objects each was written with, as the services left them in memory.
    for obj in [*years.values(), *units.values()]:
        obj.province = by_id[obj.province_id]
    w = World(provinces["BN"], provinces["HN"], years[provinces["BN"].id],
              years[provinces["HN"].id])
    bloc_years = {b.bloc.code: b for b in BlocYear.objects.filter(
        bloc__code__in=BLOCS, emulation_year__in=years.values()).select_related("bloc")}
    for code in BLOCS:  # the order they were written in, the objects they were written with
        bloc_year = w.bloc_years[code] = bloc_years[code]
        bloc_year.emulation_year = {y.id: y for y in years.values()}[
            bloc_year.emulation_year_id]
        bloc_year.leader_unit = units[f"{code}1"]
        bloc_year.bloc.province = by_id[bloc_year.bloc.province_id]
        w.units.update((f"{code}{i}", units[f"{code}{i}"]) for i in range(1, 6))
    by_name = User.objects.in_bulk(USERNAMES.values(), field_name="username")
    w.users = {name: by_name[username] for name, username in USERNAMES.items()}
    return w


def world_exists():
    return Province.objects.filter(code="BN").exists()


def _transactional(item):
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names or any(
        m.kwargs.get("transaction") for m in item.iter_markers("django_db"))


def _fast_hashing():
    return override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def _group(item):
    """0: database tests without `world`; 1: with it; 2: transactional; 3: no database."""
    names = getattr(item, "fixturenames", ())
    if _transactional(item):
        return 2
    if "world" in names:
        return 1
    return 0 if "db" in names or item.get_closest_marker("django_db") else 3


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """After pytest-django's order (database tests, then transactional ones, then the rest),
    the database tests without `world` run before those with it: the world is written once
    per test process and kept (see `_kept_world`), which a test expecting an empty database
    must not meet. Stable: the order within each group is unchanged.

    On PostgreSQL only the tests that touch the database run: the others (pure domain cores,
    property tests, files) do the same on any database and ran in the SQLite suite."""
    items.sort(key=_group)
    if connection.vendor == "postgresql":
        pure = [item for item in items if _group(item) == 3]
        if pure:
            config.hook.pytest_deselected(items=pure)
            items[:] = [item for item in items if _group(item) != 3]


@pytest.fixture(scope="session")
def _kept_world(django_db_setup, django_db_blocker):
    """The world, written once per test process before the first test that asks for it and
    committed: each test runs in a transaction rolled back at its end, so every test starts
    from the same world (session fixtures are set up before the test's transaction begins).
    Transactional tests run after all the others (the order above) and empty the database;
    `world` writes it again for them."""
    with django_db_blocker.unblock(), _fast_hashing():
        if not world_exists():
            build_world()


@pytest.fixture
def world(_kept_world, db, request):
    """One province with two blocs of five units each for the current year, an other
    province with its own bloc (data that must never leak), and one user per role.
    `_kept_world` (session scope) is set up before `db` opens the test's transaction."""
    if _transactional(request.node) and not world_exists():
        with _fast_hashing():
            build_world()
    return load_world()


@pytest.fixture(autouse=True)
def _no_kept_world_for_others(request, django_db_blocker):
    """A transactional test without `world` (a demo load, a restore) meets the database
    empty, as it would without the kept world."""
    if _transactional(request.node) and "world" not in request.fixturenames:
        with django_db_blocker.unblock():
            if world_exists():
                call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def conference(world):
    """KT's year-end conference held today, every member eligible, before the roll call
    (tests/factories.py `conference` builds other shapes)."""
    return factories.conference(world)


@pytest.fixture
def present(world, conference):
    """`conference` after the roll call: all five KT members present."""
    factories.mark_present(world, conference)
    return conference


@pytest.fixture
def open_poll(world, present):
    """The Bằng khen poll of `present`, opened: the five eligible members on the ballot."""
    return voting_services.open_poll(world.actor("leader"),
                                     factories.award_poll(world, present))


@pytest.fixture
def free_units(world):
    """Six units of the province in no bloc yet, and a bloc for them (factories.free_units)."""
    return factories.free_units(world)


@pytest.fixture
def keep_connection():
    """Requests through the real WSGI handler (schema tests): its request signals would
    close the connection holding the test's transaction (PostgreSQL); Django's test client
    detaches the same handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def client_for(client):
    """Log the test client in as one of the world's users: `client_for(world.users['x'])`."""
    def login(user):
        client.force_login(user)
        return client
    return login


CHROMIUM = Path("/usr/bin/chromium")
# The flags that keep Chromium from reaching for Google's servers on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium through Playwright (never a downloaded browser). Skips with its
    reason where Chromium is missing, except under CI=true where that is a failure."""
    if not CHROMIUM.exists():
        if CI:
            pytest.fail("/usr/bin/chromium is missing (make test installs Debian's chromium)")
        pytest.skip("/usr/bin/chromium is missing; install Debian's chromium to run this")
    # Playwright's sync API runs an event loop in this thread, and Django then refuses ORM
    # calls made by the test itself unless told they are safe; only for this test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def file_db(transactional_db, tmp_path):
    """On SQLite, run the test on a file copy of the migrated test database (see
    tests/concurrency.py); on PostgreSQL, as it is."""
    from tests.concurrency import on_sqlite_file

    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    with on_sqlite_file(path):
        yield
