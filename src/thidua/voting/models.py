"""The year-end conference: attendance, polls, voting cards, ballots (fields only).

Ballot secrecy (DESIGN.md "Rules that protect the users", RULES.md 30): a `Ballot` has a
random id, a random receipt code and its choices — no voter, no card, no user, no
timestamp. Who voted is a `Participation` row (poll, voter key), written in the same
transaction; neither has an ordered id or a time (a `BallotChoice` and a `Participation`
have composite keys, a ballot a random UUID), so no column tells which ballot came with
which participation.
"""

import uuid

from django.conf import settings
from django.db import models

from thidua.law.award_forms import AwardForm
from thidua.org.models import BlocYear, Unit


class Conference(models.Model):
    bloc_year = models.OneToOneField(BlocYear, on_delete=models.PROTECT,
                                     related_name="conference")
    held_at = models.DateTimeField("thời gian")
    place = models.CharField("địa điểm", max_length=300)
    chair = models.CharField("chủ trì", max_length=200)
    secretary = models.CharField("thư ký", max_length=200)
    # The province secretariat and others: observers who do not vote (RULES.md 29).
    guests = models.TextField("khách mời, đại biểu dự (không bỏ phiếu)", blank=True)
    agenda = models.TextField("chương trình", blank=True)
    # The minutes record when the conference ended (RULES.md 40), the same day it began:
    # the secretary types it before printing them; empty leaves a blank to write by hand.
    ended_at = models.TimeField("giờ kết thúc", null=True, blank=True)

    class Meta:
        verbose_name = "hội nghị tổng kết"
        verbose_name_plural = "hội nghị tổng kết"

    def __str__(self):
        return f"Hội nghị tổng kết {self.bloc_year}"


class Attendance(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE,
                                   related_name="attendance")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField("có mặt", default=False)
    absence_reason = models.CharField("lý do vắng", max_length=300, blank=True)
    delegate_name = models.CharField("đại biểu", max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conference", "unit"],
                                               name="attendance_unique")]

    def __str__(self):
        return f"{self.unit_id}: {'có mặt' if self.present else 'vắng'}"


class CountingCommitteeMember(models.Model):
    """Ban kiểm phiếu: the named people who enter paper ballots and sign the count."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE,
                                   related_name="committee")
    name = models.CharField("họ tên", max_length=200)
    role = models.CharField("nhiệm vụ", max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return self.name


class Poll(models.Model):
    class Kind(models.TextChoices):
        AWARD_PROPOSAL = "award_proposal", "Bình xét đề nghị khen thưởng"
        LEADER_ELECTION = "leader_election", "Bầu Trưởng khối"
        DEPUTY_ELECTION = "deputy_election", "Bầu Phó khối"

    class State(models.TextChoices):
        CREATED = "created", "Mới tạo"
        OPEN = "open", "Đang bỏ phiếu"
        CLOSED = "closed", "Đã kết thúc bỏ phiếu"
        PUBLISHED = "published", "Đã công bố"

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="polls")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    award_form = models.CharField("hình thức", max_length=30, choices=AwardForm.choices,
                                  blank=True)
    title = models.CharField("tiêu đề", max_length=300)
    quota = models.PositiveSmallIntegerField("số lượng được chọn tối đa")
    state = models.CharField("trạng thái", max_length=10, choices=State.choices,
                             default=State.CREATED)
    run_off_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="run_offs")
    # Settings copied from the rulebook in force on the conference date (RULES.md 28–33).
    rulebook = models.CharField("bộ quy tắc", max_length=200)
    quorum_comparison = models.CharField(max_length=10)
    quorum_numerator = models.PositiveIntegerField()
    quorum_denominator = models.PositiveIntegerField()
    threshold_comparison = models.CharField(max_length=10)
    threshold_numerator = models.PositiveIntegerField()
    threshold_denominator = models.PositiveIntegerField()
    base = models.CharField("cơ sở tính tỷ lệ", max_length=20)
    vote_per = models.CharField("mỗi phiếu thuộc", max_length=10)
    excess_order = models.JSONField(default=list)
    percentage_decimals = models.PositiveSmallIntegerField(default=2)
    citation = models.TextField("căn cứ", blank=True)
    # An award poll's members not eligible for its form (RULES.md 17–22), as checked when
    # its list was last set or it opened: [{"unit", "name", "reasons", "rules",
    # "override"}] — left off the ballot, or put on it with the override's reason.
    ineligible = models.JSONField("đơn vị chưa đủ điều kiện", default=list, blank=True)
    # The count and the publication (written at close / publish).
    members = models.PositiveSmallIntegerField(null=True)
    present = models.PositiveSmallIntegerField(null=True)
    result = models.JSONField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True)
    # The sealed ballot box (voting.sealing): a random salt drawn at open and the poll's
    # public key (X25519, hex). The private key is never stored: only the count derives
    # it, from the server's ballot secret and this salt. Empty before open (and on polls
    # opened before ballots were sealed).
    seal_salt = models.CharField(max_length=32, blank=True, editable=False)
    seal_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title


class Candidate(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="candidates")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    # Snapshot of the published ranking when the poll was created (RULES.md 32).
    score_numerator = models.BigIntegerField(null=True)
    score_denominator = models.BigIntegerField(null=True)
    rank = models.PositiveSmallIntegerField(null=True)
    # Why a unit not eligible for the poll's form is on the ballot all the same (typed by
    # whoever runs the conference; audited, printed in the minutes). Empty: eligible.
    override_reason = models.TextField("lý do đưa vào dù chưa đủ điều kiện", blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "unit"],
                                               name="candidate_unique")]

    def __str__(self):
        return f"Ứng viên {self.unit_id}"


class VotingCard(models.Model):
    """A printed card with a one-time token (QR) for one poll: per voting unit, or per
    delegate when the rulebook says so (RULES.md 29). Only the token's SHA-256 is kept."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="cards")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    delegate_name = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used = models.BooleanField(default=False)
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"Thẻ biểu quyết {self.pk}"


class Participation(models.Model):
    """That a voter voted in a poll (never what): unique per (poll, voter key). No time."""

    pk = models.CompositePrimaryKey("poll", "voter_key")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    # "unit:<id>" (one vote per unit) or, per delegate, "del:" + 32 hex digits of SHA-256
    # over the unit id and the delegate's name (voting.domain.delegates.delegate_key):
    # the same whether they vote with their card, logged in or on paper. Older rows may
    # hold "card:<id>", "user:<id>" or "paper:<unit id>".
    voter_key = models.CharField(max_length=40)
    unit = models.ForeignKey(Unit, null=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10)  # electronic | paper (a paper ballot handed)

    def __str__(self):
        return f"Đã bỏ phiếu: {self.voter_key}"


class Ballot(models.Model):
    """One ballot: random id, random receipt code, valid or not. No voter, no time."""

    class Source(models.TextChoices):
        ELECTRONIC = "electronic", "Điện tử"
        PAPER = "paper", "Phiếu giấy"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the unique (poll, receipt code) serves lookups by poll, and a
    # close writes one index less per ballot (bench/voting.py).
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots",
                             db_index=False)
    receipt_code = models.CharField(max_length=20)
    valid = models.BooleanField()
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["receipt_code"]
        constraints = [models.UniqueConstraint(fields=["poll", "receipt_code"],
                                               name="ballot_receipt_unique")]

    def __str__(self):
        return self.receipt_code


class SealedBallot(models.Model):
    """A ballot while its poll is open: the receipt code, choices and validity sealed
    together (voting.sealing) with the poll's public key, so no copy of the database
    taken during the vote — a backup, the files, their pages — reads a ballot. At close
    the count unseals them into `Ballot` rows (in receipt-code order, past 200 within
    chunks drawn at random) and deletes these.

    Clear: the poll, whether a paper ballot or an electronic one and, for paper only, its
    validity (the committee reconciles paper ballots before close; the paper stack's
    order says nothing of who voted), and `code_tag`, a keyed hash of the receipt code
    that keeps codes unique (and a paper ballot entered once) without revealing them.
    Random id; on SQLite also a random rowid (services insert it), so the file keeps no
    casting order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the unique (poll, code tag) serves lookups by poll (one index
    # less to write per vote).
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="sealed_ballots",
                             db_index=False)
    code_tag = models.CharField(max_length=64)
    source = models.CharField(max_length=10, choices=Ballot.Source.choices)
    paper_valid = models.BooleanField(null=True)  # paper ballots only; None electronic
    sealed = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "code_tag"],
                                               name="sealed_ballot_code_unique")]

    def __str__(self):
        return f"Phiếu niêm phong {self.pk}"


class BallotChoice(models.Model):
    pk = models.CompositePrimaryKey("ballot", "candidate")
    # No index of its own: the primary key (ballot, candidate) serves lookups by ballot.
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices",
                               db_index=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.candidate_id}"


class PaperBallotIssue(models.Model):
    """Paper ballots for one poll: how many were issued and, at reconciliation, how many
    never came back. The printed codes are not stored: the n-th paper ballot's code is
    derived from the poll's secret (voting.sealing.paper_code), so no stored order or
    transaction ties a code to the unit or delegate it was handed to."""

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="paper")
    issued = models.PositiveSmallIntegerField(default=0)
    unreturned = models.PositiveSmallIntegerField(null=True)

    def __str__(self):
        return f"Phiếu giấy: {self.issued}"


class PaperBallotCode(models.Model):
    """Paper-ballot codes as polls opened before the sealed ballot box stored them (read
    for those polls and kept in exports); new polls derive their codes instead."""

    pk = models.CompositePrimaryKey("poll", "code")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="paper_codes")
    code = models.CharField(max_length=20)
    entered = models.BooleanField(default=False)

    def __str__(self):
        return self.code
