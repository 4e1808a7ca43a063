"""The year-end conference (imperative shell around voting.domain): load, check the
rules, write in one transaction, audit.

Ballot secrecy: a vote writes a `Participation` (who) and a `SealedBallot` (what, sealed
with the poll's public key: voting.sealing), and marks the voting card used — in one
transaction, with no audit event, log line or timestamp for the vote itself. Only the
close unseals the box into `Ballot` / `BallotChoice` rows, in receipt-code order, deletes
the sealed rows and has the database scrub them (SQLite: secure_delete and a truncating
WAL checkpoint; PostgreSQL: the sealed table given fresh storage), so no copy of the
data links a voter to a ballot. Audit events record the conference's state changes
(attendance, polls opened, closed, published, paper ballots issued / entered as counts)
and never a ballot, its receipt code, its choices, or which voter got which paper ballot.

The services by entity (each module's docstring says what it holds): `common`,
`conference`, `attendance`, `polls`, `cards`, `ballots`, `paper`, `counting`, `outcome`,
`again`.
Everything is importable from `thidua.voting.services` as before."""

from thidua.voting.services.again import (  # noqa: F401
    VoteAgain,
    again_of,
    vote_again,
    vote_again_plan,
)
from thidua.voting.services.attendance import (  # noqa: F401
    RollCallRow,
    _attendance_state,
    _attendance_values,
    record_attendance,
    record_roll_call,
)
from thidua.voting.services.ballots import (  # noqa: F401
    _choices,
    _insert_sealed,
    _write_ballot,
    cast_as_delegate,
    cast_with_card,
    new_receipt_code,
    voting_units_of,
)
from thidua.voting.services.cards import (  # noqa: F401
    CardSheet,
    DelegateRow,
    IssuedCard,
    _holders,
    _voting_rows,
    card_for,
    card_refusal,
    card_token,
    delegate_roll,
    issue_cards,
    issued_cards,
)
from thidua.voting.services.common import (  # noqa: F401
    _ALPHABET,
    ALREADY_VOTED,
    BAD_CARD,
    CARD_PREFIX,
    ELECTIONS,
    NOT_OPEN,
    REVOKED_CARD,
    TURNOUT_SECONDS,
    USED_CARD,
    Kind,
    State,
    _hash,
    _lock,
    _lock_open,
    _present_units,
    _province_id,
    _require_run,
    _turnout_key,
    _voter_key,
    load_conference,
    load_poll,
    member_ids,
    rulebook_of,
)
from thidua.voting.services.conference import (  # noqa: F401
    _conference_fields,
    _ended_at,
    conference_quorum,
    conference_snapshot,
    create_conference,
    set_committee,
    update_conference,
)
from thidua.voting.services.counting import (  # noqa: F401
    CountView,
    Turnout,
    _ballots,
    _checkpoint_after_close,
    _unseal_box,
    box_listing,
    candidate_numbers,
    candidates_in,
    check_receipt,
    close_poll,
    count,
    publish_poll,
    result,
    stored_box_digest,
    turnout,
)
from thidua.voting.services.outcome import (  # noqa: F401
    _descends,
    allocation_inputs,
    chosen_units,
    election_result,
)
from thidua.voting.services.paper import (  # noqa: F401
    Reconciliation,
    _count_by_validity,
    _legacy_paper_claim,
    _paper_choices,
    _paper_delegates,
    _paper_entry,
    _paper_units,
    correct_paper_ballot,
    enter_paper_ballot,
    issue_paper_ballots,
    issued_paper_codes,
    paper_cards,
    paper_codes,
    reconcile_paper,
    reconciliation,
    unentered_paper_codes,
)
from thidua.voting.services.polls import (  # noqa: F401
    _award_list,
    _candidate_units,
    _members_only,
    _ranking,
    _recent_leaders,
    _write_candidates,
    award_standing,
    create_poll,
    open_poll,
    poll_snapshot,
    set_candidates,
)
