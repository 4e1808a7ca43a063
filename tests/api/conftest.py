"""API test helpers: call the API as any `world` user, by session or by token."""

import json

import pytest
from django.test import Client

from thidua.core.tokens import create_token


class Api:
    """A Django test client speaking JSON to /api/v1/ as one user."""

    def __init__(self, user=None, *, token=None, enforce_csrf=False):
        self.client = Client(enforce_csrf_checks=enforce_csrf)
        self.headers = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif user is not None:
            self.client.force_login(user)

    def _url(self, path):
        return path if path.startswith("/api/") else "/api/v1" + path

    def get(self, path, **params):
        return self.client.get(self._url(path), params, headers=self.headers)

    def send(self, method, path, data=None, *, raw=None, headers=None):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return getattr(self.client, method)(
            self._url(path), body, content_type="application/json",
            headers={**self.headers, **(headers or {})})

    def post(self, path, data=None, **kw):
        return self.send("post", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.send("put", path, data, **kw)

    def delete(self, path, **kw):
        return self.client.delete(self._url(path), headers={**self.headers,
                                                            **kw.get("headers", {})})

    def upload(self, path, name, content, content_type="application/octet-stream"):
        from django.core.files.uploadedfile import SimpleUploadedFile
        return self.client.post(
            self._url(path), {"file": SimpleUploadedFile(name, content, content_type)},
            headers=self.headers)


@pytest.fixture
def api(world):
    """`api("officer")` → a session client; `api("officer", token=True)` → a token client;
    `api("anonymous")` → no credentials."""
    def make(who, token=False, **kw):
        if who == "anonymous":
            return Api(**kw)
        user = world.users[who]
        if token:
            _, plain = create_token(user, f"kiểm thử {who}")
            return Api(token=plain, **kw)
        return Api(user, **kw)
    return make


def error(detail, *messages, field=None):
    """The body of a refusal with one or more messages not tied to a field."""
    items = messages or (detail,)
    return {"detail": detail, "errors": [{"field": field, "message": m} for m in items]}


def unit_ref(unit):
    return {"id": unit.id, "code": unit.code, "name": unit.name}


def province_out(province):
    return {"id": province.id, "code": province.code, "name": province.name}


def make_registration(world, unit_code, *, submit=False, titles=("provincial_flag",)):
    """A registration of `unit_code` through the services, as its own officer would."""
    import datetime
    from decimal import Decimal

    from thidua.core.models import User
    from thidua.org.models import Role, RoleAssignment
    from thidua.org.rules import actor_for
    from thidua.pledges import services

    unit = world.units[unit_code]
    user, _ = User.objects.get_or_create(username=f"cb_{unit_code.lower()}")
    RoleAssignment.objects.get_or_create(user=user, role=Role.UNIT_OFFICER, unit=unit)
    user.__dict__.pop("_thidua_actor", None)
    officer = actor_for(user)
    registration = services.open_registration(officer, unit, world.year)
    services.set_titles(officer, registration, titles)
    services.add_target(officer, registration, services.TargetInput(
        indicator="Tỷ lệ hồ sơ trực tuyến", target_value=Decimal("90.00"),
        unit_of_measure="%", deadline=datetime.date(world.year.year, 12, 31),
        baseline=Decimal("40.50")))
    if submit:
        services.submit_registration(officer, registration)
    registration.refresh_from_db()
    return registration
