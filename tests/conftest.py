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
from hypothesis import HealthCheck, settings
from tests import factories

from thidua.core.models import User
from thidua.org import services as org_services
from thidua.org.models import Bloc, Province, Role, RoleAssignment, Unit
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


def _bloc(province, code, name, unit_names, year, system):
    bloc = Bloc.objects.create(province=province, code=code, kind=Bloc.Kind.KHOI, name=name)
    units = [Unit.objects.create(province=province, code=f"{code}{i}", name=unit_name)
             for i, unit_name in enumerate(unit_names, 1)]
    bloc_year = org_services.create_bloc_year(
        system, bloc, year, members=units, leader=units[0], deputies=[units[1]])
    return bloc_year, units


@pytest.fixture
def world(db):
    this_year = datetime.date.today().year
    admin = make_user("quan_tri", Role.SYSTEM_ADMIN)
    system = actor_for(admin)
    province = Province.objects.create(code="BN", name="Bắc Ninh")
    other = Province.objects.create(code="HN", name="Hà Nội")
    year = org_services.ensure_year(system, province, this_year)
    other_year = org_services.ensure_year(system, other, this_year)
    w = World(province, other, year, other_year)
    kt, kt_units = _bloc(province, "KT", "Khối Kinh tế", [
        "Sở Công Thương", "Sở Tài chính", "Sở Xây dựng", "Đài Phát thanh", "Ban Quản lý dự án"],
        year, system)
    vx, vx_units = _bloc(province, "VX", "Khối Văn hóa", [
        "Sở Y tế", "Sở Giáo dục", "Báo Bắc Ninh", "Sở Nội vụ", "Bảo hiểm xã hội"], year, system)
    hn, hn_units = _bloc(other, "HN", "Khối Hà Nội", [
        "Sở Bí mật", "Sở Khác", "Sở Thứ ba", "Sở Thứ tư", "Sở Thứ năm"], other_year, system)
    w.bloc_years = {"KT": kt, "VX": vx, "HN": hn}
    for unit in kt_units + vx_units + hn_units:
        w.units[unit.code] = unit
    w.users = {
        "admin": admin,
        "secretariat": make_user("thuong_truc", Role.PROVINCE_SECRETARIAT, province=province),
        "other_secretariat": make_user("thuong_truc_hn", Role.PROVINCE_SECRETARIAT,
                                       province=other),
        "leader": make_user("truong_khoi", Role.BLOC_LEADER_OFFICER, bloc_year=kt),
        "officer": make_user("can_bo", Role.UNIT_OFFICER, unit=w.units["KT1"]),
        "peer": make_user("can_bo_khac", Role.UNIT_OFFICER, unit=w.units["KT2"]),
        "outsider": make_user("can_bo_vx", Role.UNIT_OFFICER, unit=w.units["VX1"]),
        "delegate": make_user("dai_bieu", Role.DELEGATE, unit=w.units["KT3"]),
        "nobody": make_user("khong_vai_tro"),
    }
    return w


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
    from django.db import connection
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
