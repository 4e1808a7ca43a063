"""A scoring year built through the services on the `world` fixture (no mocks)."""

import datetime
from decimal import Decimal

from thidua.core.evidence import Upload
from thidua.core.models import User
from thidua.org import services as org
from thidua.org.domain.phases import ORDER, Phase
from thidua.org.models import Role, RoleAssignment
from thidua.pledges import services as pledges
from thidua.scoring import services
from thidua.scoring.services import CriterionInput

from .specs import demo_like

# A minimal valid PDF: what a scanned minute would be.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
CODES = ["KT1", "KT2", "KT3", "KT4", "KT5"]
# KT5 registers nothing: RULES.md 15's criterion scores it 0, stated.
TARGETS = {"KT1": ("95", "97"), "KT2": ("95", "95"), "KT3": ("95", "99"), "KT4": ("95", "90")}


def criteria_inputs():
    return [CriterionInput(code=s.code, title=s.title, max_points=Decimal(s.max_points.numerator)
                           / s.max_points.denominator, method=s.method, parent=s.parent,
                           params=s.params, evidence_required=s.evidence_required,
                           is_section=s.is_section) for s in demo_like()]


def move_to(world, bloc_year, phase):
    system = world.actor("admin")
    bloc_year.refresh_from_db()
    while ORDER.index(Phase(bloc_year.phase)) < ORDER.index(phase):
        org.move_phase(system, bloc_year, ORDER[ORDER.index(Phase(bloc_year.phase)) + 1])
        bloc_year.refresh_from_db()


def officers(world):
    """An officer for every KT unit: KT1 and KT2 have theirs in `world`."""
    names = {"KT1": "officer", "KT2": "peer"}
    for code in CODES[2:]:
        name = f"officer_{code.lower()}"
        if name not in world.users:
            user = User.objects.create_user(username=f"can_bo_{code.lower()}")
            RoleAssignment.objects.create(user=user, role=Role.UNIT_OFFICER,
                                          unit=world.units[code])
            world.users[name] = user
        names[code] = name
    return {code: world.actor(name) for code, name in names.items()}


def prepare(world, unreported=()):
    """KT bloc year in SELF_ASSESSMENT with registrations, actuals and the table; the units
    in `unreported` registered their target but never reported on it."""
    bloc_year = world.bloc_years["KT"]
    actors = officers(world)
    year = world.year.year
    for code, (target, _) in TARGETS.items():
        registration = pledges.open_registration(actors[code], world.units[code], world.year)
        pledges.set_titles(actors[code], registration, ["provincial_flag"])
        pledges.add_target(actors[code], registration, pledges.TargetInput(
            indicator="Tỷ lệ hồ sơ giải quyết đúng hạn", target_value=Decimal(target),
            unit_of_measure="%", deadline=datetime.date(year, 12, 15)))
        pledges.submit_registration(actors[code], registration)
    move_to(world, bloc_year, Phase.IN_PROGRESS)
    for code, (_, actual) in TARGETS.items():
        if code in unreported:
            continue
        target = pledges.Target.objects.get(registration__unit=world.units[code])
        pledges.report_progress(actors[code], target, reported_on=datetime.date.today(),
                                actual_value=Decimal(actual))
    table = services.create_table(world.actor("leader"), bloc_year, name="Bảng tiêu chí 2026",
                                  total=Decimal(100), criteria=criteria_inputs())
    move_to(world, bloc_year, Phase.SELF_ASSESSMENT)
    return bloc_year, table, actors


# What each unit enters on its own sheet (graded I.2/I.3, deductions, counts, bonus, penalty)
SELF = {
    "KT1": {"I.2": {"points": 10}, "I.3": {"points": 10}, "II.1": {"items": 0},
            "II.2": {"items": 0}, "II.3": {"count": 5}, "IV.1": {"items": 0},
            "V.1": {"items": 0}, "B.1": {"count": 0}, "B.2": {"count": 1}, "B.3": {"count": 0},
            "P.1": {"count": 0}},
}
PAR = {"KT1": "12", "KT2": "13.5", "KT3": "11", "KT4": "14.25", "KT5": "10"}


def entries_for(code, level):
    """A plausible sheet for `code` at quality `level` (0, 1 or 2 faults)."""
    if code in SELF and level == 0:
        return SELF[code]
    return {"I.2": {"points": 10 if level == 0 else 5}, "I.3": {"points": 5},
            "II.1": {"items": level}, "II.2": {"items": 0}, "II.3": {"count": 3},
            "IV.1": {"items": 0}, "V.1": {"items": level}, "B.1": {"count": 0},
            "B.2": {"count": 0}, "B.3": {"count": 1}, "P.1": {"count": 0}}


def import_par(world, bloc_year):
    services.import_values(world.actor("leader"), services.current_table(bloc_year), "III.1",
                           {world.units[c].id: v for c, v in PAR.items()}, "Sở Nội vụ — PAR INDEX")


def self_assess(world, bloc_year, actors):
    import_par(world, bloc_year)
    sheets = {}
    for code in CODES:
        sheet = services.open_self_assessment(actors[code], bloc_year, world.units[code])
        services.set_scores(actors[code], sheet, entries_for(code, 0))
        services.attach_evidence(actors[code], sheet, "I.1",
                                 [Upload("bao-cao-chi-tieu.pdf", PDF)])
        services.set_scores(actors[code], sheet, {"II.3": {"count": entries_for(code, 0)[
            "II.3"]["count"], "note": "Ba điển hình được UBND tỉnh biểu dương"}})
        sheets[code] = services.submit_sheet(actors[code], sheet)
    return sheets
