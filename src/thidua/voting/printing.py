"""What the printed paper ballots carry (documents' "phiếu bầu"): the receipt codes that
`services.issue_paper_ballots` made and no ballot was entered under yet.

A code is drawn when paper ballots are handed to units (the unit is then recorded as
having voted); the codes are not stored but derived from the poll's secret
(voting.sealing), so nothing says which unit got which, and a printed ballot carries one
of them, in code order.
"""

from thidua.core.errors import Forbidden
from thidua.org.rules import Actor
from thidua.voting import rules, services
from thidua.voting.models import Poll


def codes_to_print(actor: Actor, poll: Poll) -> list[str]:
    """The issued paper-ballot codes of the poll not entered yet, sorted; only those who
    run the conference or sit on the counting committee print ballots."""
    if not rules.can_enter_paper_ballots(actor, poll.conference):
        raise Forbidden("Chỉ ban kiểm phiếu, đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh "
                        "in phiếu bầu.")
    return services.unentered_paper_codes(poll)
