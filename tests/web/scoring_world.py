"""Scoring years on the `world` fixture for the web tests, built through the services
(tests/scoring/flow.py for the steps; scoring.demo for a whole published year)."""

import yaml

from scoring.flow import CODES, PDF, entries_for, import_par, move_to, officers, prepare
from thidua.core.evidence import Upload
from thidua.demo import loader
from thidua.org.domain.phases import Phase
from thidua.scoring import demo, services
from thidua.scoring.models import Criterion

__all__ = ["CODES", "PDF", "entries_for", "import_par", "move_to", "officers", "prepare",
           "published_year", "self_sheet", "submitted_self", "criterion", "Upload"]


def published_year(world):
    """The KT bloc year played to a published ranking (demo's deterministic year)."""
    officers(world)
    spec = yaml.safe_load(loader.FIXTURE.read_text(encoding="utf-8"))["criteria_table"]
    bloc_year = world.bloc_years["KT"]
    published = demo.build_scoring_year(world.actor("admin"), bloc_year, spec)
    bloc_year.refresh_from_db()
    return bloc_year, published


def self_sheet(world, code="KT1"):
    """KT in SELF_ASSESSMENT, PAR imported, the unit's self sheet opened (draft)."""
    bloc_year, table, actors = prepare(world)
    import_par(world, bloc_year)
    sheet = services.open_self_assessment(actors[code], bloc_year, world.units[code])
    return bloc_year, table, actors, sheet


def submitted_self(world, actors, bloc_year, code):
    sheet = services.open_self_assessment(actors[code], bloc_year, world.units[code])
    services.set_scores(actors[code], sheet, entries_for(code, 0))
    services.attach_evidence(actors[code], sheet, "I.1", [Upload("bao-cao.pdf", PDF)])
    services.set_scores(actors[code], sheet, {"II.3": {"count": 3, "note": "Có biên bản"}})
    return services.submit_sheet(actors[code], sheet)


def criterion(table, code):
    return Criterion.objects.get(table=table, code=code)


def to_appraisal(world, bloc_year):
    move_to(world, bloc_year, Phase.APPRAISAL)
