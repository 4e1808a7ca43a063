"""Property-based test of the whole API from its own OpenAPI document (Schemathesis, in
process over WSGI): whatever it sends, no 5xx, and every answer is one the document
declares, with a body of the declared shape.

Run as a unit officer (who may write) and as the province secretariat (who sees most),
both by token, over the `world` fixture, with a handful of examples per operation.
"""

from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from scoring.flow import criteria_inputs
from thidua.core.tokens import create_token
from thidua.org import services as org_services
from thidua.scoring import services as scoring_services
from thidua.wsgi import application

from .conftest import make_registration

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]


@pytest.fixture
def busy_world(world):
    """The world with pledges in every state, so ids hit real rows in every table."""
    make_registration(world, "KT1", submit=True)
    make_registration(world, "KT2")
    make_registration(world, "VX2", submit=True)
    org_services.move_phase(world.actor("admin"), world.bloc_years["KT"], "in_progress")
    # A criteria table, so the scoring operations answer with real rows too.
    scoring_services.create_table(world.actor("leader"), world.bloc_years["KT"],
                                  name="Bảng tiêu chí 2026", total=Decimal(100),
                                  criteria=criteria_inputs())
    return world


@pytest.fixture
def auth_header(busy_world, who, keep_connection):
    _, plain = create_token(busy_world.users[who], "schemathesis")
    return {"Authorization": f"Bearer {plain}"}


@pytest.mark.parametrize("who", ["officer", "secretariat"])
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True, database=None)
def test_api_conforms_to_its_schema(case, auth_header, who):
    response = case.call(headers=auth_header)
    case.validate_response(response, checks=CHECKS)
