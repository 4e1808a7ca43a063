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
from thidua.demo import loader
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
    """The kept world is written (its administrator is there: the demo's province is BN
    too, so the province says nothing)."""
    return User.objects.filter(username=USERNAMES["admin"]).exists()


DEMO_ADMIN = "admin"  # the administrator demo/loader.py writes


def demo_exists():
    """The demo province is loaded (its administrator, `admin`, is there)."""
    return User.objects.filter(username=DEMO_ADMIN).exists()


def _empty_database():
    call_command("flush", interactive=False, verbosity=0)


def _transactional(item):
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names or any(
        m.kwargs.get("transaction") for m in item.iter_markers("django_db"))


def _fast_hashing():
    return override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


NO_DATABASE = 5


def _group(item):
    """0: database tests on an empty database; 1: on the kept demo (`demo_province`); 2: on
    the kept world (`world`); 3: transactional; 4: browser tests (transactional too, kept
    together so one Chromium serves a run of them, see `_Chromium`); 5: no database."""
    names = getattr(item, "fixturenames", ())
    if _transactional(item):
        return 4 if "browser" in names else 3
    if "world" in names:
        return 2
    if "demo_province" in names:
        return 1
    return 0 if "db" in names or item.get_closest_marker("django_db") else NO_DATABASE


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """After pytest-django's order (database tests, then transactional ones, then the rest),
    the database tests on an empty database run first, then those on the demo, then those
    on the world: the demo and the world are each written once per test process and kept
    (`_kept_demo`, `_kept_world`; the world replaces the demo), which a test expecting an
    empty database must not meet. Each process runs its share in this order (pytest-xdist's
    default `--dist load` hands tests out in the collection order). Stable: the order within
    each group is unchanged.

    On PostgreSQL only the tests that touch the database run: the others (pure domain cores,
    property tests, files) do the same on any database and ran in the SQLite suite."""
    items.sort(key=_group)
    if connection.vendor == "postgresql":
        pure = [item for item in items if _group(item) == NO_DATABASE]
        if pure:
            config.hook.pytest_deselected(items=pure)
            items[:] = [item for item in items if _group(item) != NO_DATABASE]


@pytest.fixture(scope="session")
def _kept_world(django_db_setup, django_db_blocker):
    """The world, written once per test process before the first test that asks for it and
    committed: each test runs in a transaction rolled back at its end, so every test starts
    from the same world (session fixtures are set up before the test's transaction begins).
    Transactional tests run after all the others (the order above) and empty the database;
    `world` writes it again for them."""
    with django_db_blocker.unblock(), _fast_hashing():
        if not world_exists():
            if demo_exists():  # the demo's tests ran before (the order above)
                _empty_database()
            build_world()


@pytest.fixture(scope="session")
def _kept_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo province loaded once per test process (`thidua demo`'s loader, as each test
    loaded it before) and committed, like `_kept_world`; its evidence files go to a folder
    that `demo_province` copies into each test's MEDIA_ROOT. A demo load writes hundreds of
    rows through the services (11–17 s of CPU): loading it once instead of once per test is
    the point."""
    media = tmp_path_factory.mktemp("kept-demo-media")
    with django_db_blocker.unblock(), _fast_hashing(), override_settings(MEDIA_ROOT=media):
        if not demo_exists():
            if Province.objects.exists() or User.objects.exists():
                _empty_database()
            loader.load()
    return media


@pytest.fixture
def demo_province(_kept_demo, db, settings):
    """The demo province (demo.yaml) as `thidua demo` loads it, each test rolling back to
    it: the kept load (`_kept_demo`) with its evidence files in the test's MEDIA_ROOT, or,
    should the kept one be gone (a test run out of the order above), loaded in the test."""
    if demo_exists():
        shutil.copytree(_kept_demo, settings.MEDIA_ROOT, dirs_exist_ok=True)
    elif world_exists():
        pytest.fail("the kept world is in the database: the demo's tests must run before "
                    "the world's (pytest_collection_modifyitems)")
    else:
        loader.load()


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
    empty, as it would without the kept world or demo."""
    if _transactional(request.node) and "world" not in request.fixturenames:
        with django_db_blocker.unblock():
            if world_exists() or demo_exists():
                _empty_database()


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


ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


class _Chromium:
    """One Chromium per test process, launched by the first browser test and closed before
    the first test after it that is not one (a launch costs seconds; each test still gets
    its own contexts, closed after it, so no cookie or page outlives its test). Playwright's
    sync API keeps an event loop running in this thread while it is started, and Django
    refuses ORM calls under a running loop unless told they are safe: so told while it is
    up (the browser tests' own ORM calls, their database set-up and flush), and no other
    test runs while it is up."""

    playwright = None
    launched = None
    async_unsafe = None  # DJANGO_ALLOW_ASYNC_UNSAFE as it was before the launch

    @classmethod
    def get(cls):
        if cls.launched is None:
            from playwright.sync_api import sync_playwright

            cls.async_unsafe = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            cls.playwright = sync_playwright().start()
            try:
                cls.launched = cls.playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            except BaseException:
                cls.stop()
                raise
        return cls.launched

    @classmethod
    def stop(cls):
        launched, playwright, cls.launched, cls.playwright = (
            cls.launched, cls.playwright, None, None)
        try:
            if launched is not None:
                launched.close()
        finally:
            if playwright is not None:
                playwright.stop()
            if cls.async_unsafe is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = cls.async_unsafe


def _uses_browser(item):
    return item is not None and "browser" in getattr(item, "fixturenames", ())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test's fixtures are torn down, close the shared Chromium when the next test
    is not a browser test (or there is no next one): its event loop must not be running
    under a test that uses the ORM."""
    try:
        return (yield)
    finally:
        if _Chromium.launched is not None and not _uses_browser(nextitem):
            _Chromium.stop()


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright (never a downloaded browser), shared by the
    browser tests that run one after another in a process (`_Chromium`). Skips with its
    reason where Chromium is missing, except under CI=true where that is a failure."""
    if not CHROMIUM.exists():
        if CI:
            pytest.fail("/usr/bin/chromium is missing (make test installs Debian's chromium)")
        pytest.skip("/usr/bin/chromium is missing; install Debian's chromium to run this")
    launched = _Chromium.get()
    try:
        yield launched
    finally:
        for context in launched.contexts:
            context.close()


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
