"""The demo province loads through the services, completely, once."""

from django.core.management import call_command

from thidua.core import secretbox
from thidua.core.audit import verify
from thidua.core.models import AuditEvent, TwoFactor, User
from thidua.demo import loader
from thidua.org.models import BlocYear, Membership, Unit
from thidua.org.twofactor import required_for
from thidua.pledges.models import CheckIn, Evidence, Registration
from thidua.pledges.queries import province_overview
from thidua.scoring.models import PublishedRanking


def test_demo_loads_the_province_with_gaps_on_purpose(demo_province):
    """From 2025 the blocs list the agencies after Nghị định 45/2025/NĐ-CP; the 2022
    members' parts (the leader STTTT's, SGTVT's draft …) are played by the units that
    take them (`loader.role_of`); the pre-merger agencies stay as history (RULES.md 44).
    (`demo_province`: what `loader.load()` writes, kept for the test process.)"""
    logins = loader.logins()
    year = BlocYear.objects.order_by("-emulation_year__year").first().emulation_year.year
    leader = loader.code_for("STTTT", year).lower()
    assert [login.username for login in logins] == [
        "admin", "thuongtruc", f"canbo.{leader}", "canbo.sct", "truongkhoi", "daibieu.sct",
        "truongkhoi.vhxh"]
    # 22 units of 2022, five created from 2025 (Sở NN&MT and four SYNTHETIC ones).
    assert Unit.objects.count() == 27
    this_year = BlocYear.objects.order_by("-emulation_year__year").first().emulation_year
    overview = {row.bloc_year.bloc.code: (row.member_count, row.registered, row.missing,
                                          row.bloc_year.phase)
                for row in province_overview(this_year.province, this_year)}
    assert overview == {"KTKT": (12, 10, 2, "appraisal"), "VHXH": (9, 8, 1, "in_progress")}
    assert {loader.role_of(c) for c in Registration.objects.filter(status="draft").values_list(
        "unit__code", flat=True)} == {"SGTVT"}
    # Every unit has a history: last year's bloc as well as this year's.
    assert Membership.objects.count() == 42
    assert CheckIn.objects.exists()
    assert Evidence.objects.count() == CheckIn.objects.count()
    # The economic-technical bloc has scored its year and published its ranking.
    ranking = PublishedRanking.objects.get()
    assert ranking.table.bloc_year.bloc.code == "KTKT"
    assert ranking.rows.count() == 12
    assert verify() is None


def test_demo_accounts_that_need_two_factor_are_enrolled_with_the_published_key(
        demo_province):
    enrolled = {name: secretbox.unseal(sealed) for name, sealed
                in TwoFactor.objects.values_list("user__username", "secret")}
    assert enrolled == {name: loader.DEMO_TOTP_SECRET
                        for name in ("admin", "thuongtruc", "truongkhoi", "truongkhoi.vhxh")}
    assert {u.username for u in User.objects.all() if required_for(u)} == {
        "admin", "thuongtruc", "truongkhoi", "truongkhoi.vhxh"}


def test_the_demo_command_shows_the_economic_technical_bloc_s_whole_year(
        db, settings, tmp_path, capsys):
    """`make run` (`thidua demo`): the bloc's conference held and published as the 2022
    report tells it, the proposal accepted and decided (issue 11, "the demo shows the
    whole year"); the cultural-social bloc is still mid-year. Run again, the command
    writes nothing and prints the logins (idempotent)."""
    from thidua.awards.models import Award, Proposal
    from thidua.demo.conference import DECISION
    from thidua.voting.models import Poll

    settings.MEDIA_ROOT = tmp_path
    call_command("demo")
    year = BlocYear.objects.order_by("-emulation_year__year").first().emulation_year.year
    phases = dict(BlocYear.objects.filter(emulation_year__year=year).values_list(
        "bloc__code", "phase"))
    assert phases == {"KTKT": "decided", "VHXH": "in_progress"}
    assert sorted(Poll.objects.values_list("kind", "award_form", "state")) == sorted([
        ("award_proposal", "government_flag", "published"),
        ("award_proposal", "provincial_flag", "published"),
        ("award_proposal", "certificate_of_merit", "published"),
        ("leader_election", "", "published"), ("deputy_election", "", "published")])
    assert Proposal.objects.get().state == "decided"
    # The reported outcome (demo.yaml), in vote order within each form (RULES.md 32).
    assert [(form, loader.role_of(code), number) for form, code, number in Award.objects.filter(
        emulation_year__year=year).order_by("award_form", "-proposal_line__votes").values_list(
        "award_form", "unit__code", "decision_number")] == [
        ("certificate_of_merit", "SKHDT", DECISION), ("certificate_of_merit", "SKHCN", DECISION),
        ("certificate_of_merit", "SNNPTNT", DECISION), ("government_flag", "STTTT", DECISION),
        ("provincial_flag", "SCT", DECISION), ("provincial_flag", "QDTPT", DECISION)]
    assert verify() is None
    events = AuditEvent.objects.count()
    call_command("demo")
    assert AuditEvent.objects.count() == events
    out = capsys.readouterr().out
    assert "thidua-demo-2026" in out
    assert "truongkhoi      Cán bộ đơn vị Trưởng khối — Khối Kinh tế – Kỹ thuật" in out
    assert "truongkhoi.vhxh Cán bộ đơn vị Trưởng khối — Khối Văn hóa – Xã hội" in out


def test_rule_44_and_46_the_demo_records_the_2025_mergers_as_lineage(demo_province):
    """Nghị định 45/2025/NĐ-CP in the demo: the pre-merger agencies exist as history, in
    no bloc of 2025 or later, linked to their successors; their 2024 awards are history
    and show in the successor's achievement report's list (RULES.md 46)."""
    from thidua.awards.services import lineage_awards
    from thidua.org.models import LineageEvent

    year = BlocYear.objects.order_by("-emulation_year__year").first().emulation_year.year
    merged = {(tuple(sorted(e.predecessors.values_list("code", flat=True))),
               e.successors.get().code, e.document_number, str(e.effective_date))
              for e in LineageEvent.objects.all()}
    assert merged == {(("SKHDT",), "STC", "368/QĐ-UBND", "2025-03-01"),
                      (("SGTVT",), "SXD", "368/QĐ-UBND", "2025-03-01"),
                      (("SNNPTNT", "STNMT"), "SNNMT", "368/QĐ-UBND", "2025-03-01"),
                      (("STTTT",), "SKHCN", "368/QĐ-UBND", "2025-03-01"),
                      (("SLDTBXH",), "SNV", "368/QĐ-UBND", "2025-03-01")}
    ended = {"SKHDT", "SGTVT", "SNNPTNT", "STNMT", "STTTT", "SLDTBXH"}
    assert not Membership.objects.filter(unit__code__in=ended,
                                         emulation_year__year__gte=2025).exists()
    assert Unit.objects.filter(code__in=ended).count() == 6
    history = lineage_awards(Unit.objects.get(code="SKHCN"), year)
    assert [(a.unit.code, a.emulation_year.year, a.award_form, a.decision_number)
            for a in history if a.unit.code == "STTTT"] == [
        ("STTTT", 2024, "government_flag", "27/QĐ-UBND")]
