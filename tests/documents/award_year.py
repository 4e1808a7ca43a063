"""An award year built through the services on `world` (award documents, statistics, pack):
the KT bloc ranked KT1 … KT5, its conference voting KT1 for the Government flag, KT2 for
the provincial flag, KT3 and KT4 for the certificate; the proposal submitted and accepted
by the province; KT1 holding last year's provincial flag (its history)."""

import datetime
from dataclasses import dataclass

from awards.conftest import conference_day, polls, prepare_kt
from thidua.awards import proposals
from thidua.awards import services as awards
from thidua.org import services as org_services

ON = datetime.date(datetime.date.today().year + 1, 1, 5)  # "ngày 05 tháng 01 năm …"


@dataclass
class AwardYear:
    bloc_year: object
    proposal: object
    last_year: object


def build(world, *, accept=True) -> AwardYear:
    bloc_year = prepare_kt(world)
    secretariat, leader = world.actor("secretariat"), world.actor("leader")
    last_year = org_services.ensure_year(world.actor("admin"), world.province,
                                         world.year.year - 1)
    awards.record_award(secretariat, world.units["KT1"], last_year, "provincial_flag",
                        decision_number="123/QĐ-UBND",
                        decision_date=datetime.date(world.year.year, 1, 15),
                        signer="Phó Chủ tịch Nguyễn Văn A")
    proposal = proposals.assemble_proposal(leader, bloc_year, polls(world),
                                           conference_date=conference_day(world))
    if accept:
        proposals.move_proposal(leader, proposal, "submit")
        proposals.move_proposal(secretariat, proposal, "accept")
        proposal.refresh_from_db()
    return AwardYear(bloc_year, proposal, last_year)
