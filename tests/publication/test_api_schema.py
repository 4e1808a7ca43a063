"""The public results answer is exactly what the OpenAPI document says (issue 13, break 9):
every published part present — ranking, polls with ballots, the election, the proposal
with the chairman's decision, the press release — checked by schemathesis' response
check against the live document."""

import schemathesis
from schemathesis.specs.openapi.checks import response_schema_conformance

from thidua.publication import services
from thidua.wsgi import application

from .conftest import publish_election

PATH = "/api/v1/public/bloc-years/{bloc_year_id}/results"


def answer_conforms(bloc_year_id):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    case = schema[PATH]["GET"].Case(path_parameters={"bloc_year_id": bloc_year_id})
    response = case.call()
    assert response.status_code == 200
    case.validate_response(response, checks=[response_schema_conformance])
    return response.json()


def test_the_public_results_answer_matches_its_schema(world, scene, keep_connection):
    bloc_year, leader = scene.bloc_year, world.actor("leader")
    publish_election(world, scene.election)
    services.generate(leader, bloc_year)
    services.publish(leader, bloc_year)
    data = answer_conforms(bloc_year.pk)
    kinds = [p["kind"] for p in data["polls"]]
    assert kinds == ["award_proposal", "award_proposal", "leader_election"]
    assert data["next_leader"] == "Đài Phát thanh"
    assert data["press_release"]["number"] == 1


def test_no_two_api_shapes_share_a_name():
    """The OpenAPI document names each shape by its class name: two classes of one name
    (the public results' PollOut and the voting PollOut) become one schema, and one of
    the answers no longer matches its document."""
    from ninja import Schema

    import thidua.api.api  # noqa: F401 - every router loaded

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    by_name = {}
    for cls in every(Schema):
        if cls.__module__.startswith("thidua."):
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {n: sorted(q) for n, q in by_name.items() if len(q) > 1} == {}
