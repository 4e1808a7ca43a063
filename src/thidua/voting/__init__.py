"""The year-end conference (issue 4; RULES.md 2–4, 28–34): attendance and quorum, secret
ballots by card, by a logged-in delegate and on paper, the count with its arithmetic,
run-offs, publication with receipts and the ballot-box digest, the leader election.

For pages and other callers, everything goes through `voting.services`:

- conference: `create_conference`, `update_conference`, `record_roll_call` (every
  member in one save, "all present"), `record_attendance` (one unit),
  `conference_quorum`, `set_committee`;
- polls: `create_poll` (award form with its quota, or leader / deputy election with
  rotation), `set_candidates` (before opening), `open_poll` / `close_poll` /
  `publish_poll` (idempotent; close stores the count and opens a run-off on a tie);
  `vote_again` opens that run-off, or an election's next round among the front-runners
  when too few reached the threshold (`vote_again_plan` says why and among whom);
- cards: `issue_cards` (an explicit, confirmed step: earlier unused cards are revoked) →
  `IssuedCard(card, token, unit_name)`; `issued_cards` shows the live ones again (the
  token is an HMAC of the card id, only its hash is stored), so the cards page and the
  printed sheet never issue or revoke anything;
- votes: `cast_with_card(token, poll_id, candidate_ids)`, `cast_as_delegate(actor, …)`,
  both returning the receipt code to show once;
- paper: `issue_paper_ballots` → printed codes, `enter_paper_ballot`,
  `reconcile_paper`, `reconciliation`;
- reading: `result` (tally with each candidate's sentence, ballots and digest once
  published), `turnout` (projector: voted / expected, cached), `check_receipt` (public),
  `allocation_inputs` (counted polls as law.allocation reads them).

Receipt codes typed by people are read by `voting.domain.receipts.normalise` (case,
spaces, dashes, full-width letters). `voting.queries.conference_progress` gives the
conference day's steps and the next action (`voting.domain.progress`).

`voting.queries` loads conferences and polls in the actor's scope (404 outside it);
`voting.rules` says who may run the conference, enter paper ballots and see results.
"""
