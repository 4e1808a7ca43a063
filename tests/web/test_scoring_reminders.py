"""Reminders of missing score sheets (issue 3 item 4): the leader clicks "Gửi nhắc nhở",
each unit with something missing gets one e-mail to its officers listing exactly what
(statuses only: sheets stay sealed, RULES.md 13), a record shown on the page, an audit
event; a unit is not reminded twice within SCORING_REMINDER_INTERVAL_HOURS."""

import datetime

from django.core import mail

from thidua.core.models import AuditEvent
from thidua.scoring.models import Reminder

from .page import parse
from .test_scoring_sheets import peer_setup

ADDRESSES = {"officer": "kt1@so-ct.example.vn", "peer": "kt2@so-tc.example.vn",
             "officer_kt3": "kt3@so-yt.example.vn", "officer_kt5": "kt5@so-gd.example.vn"}


def with_addresses(world):
    bloc_year, table, actors, sheet = peer_setup(world)
    for name, email in ADDRESSES.items():
        user = world.users[name]
        user.email = email
        user.save(update_fields=["email"])
    return bloc_year, table, actors, sheet


def names(world, *codes):
    return [world.units[c].name for c in codes]


def send(as_who, bloc_year, who="leader"):
    return as_who(who).post(f"/khoi/{bloc_year.pk}/cham-cheo/nhac-nho/")


def test_each_unit_with_missing_sheets_gets_exactly_what_is_missing(world, as_who):
    bloc_year, _, _, _ = with_addresses(world)
    kt = {code: world.units[code].name for code in ("KT1", "KT2", "KT3", "KT4", "KT5")}
    leader = as_who("leader")
    response = leader.post(f"/khoi/{bloc_year.pk}/cham-cheo/nhac-nho/", follow=True)
    assert response.redirect_chain == [(f"/khoi/{bloc_year.pk}/cham-cheo/", 302)]
    page = parse(response)
    # KT4's officer has no address: nothing sent there, and the leader is told.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["kt1@so-ct.example.vn", "kt2@so-tc.example.vn", "kt3@so-yt.example.vn",
         "kt5@so-gd.example.vn"])
    assert all(len(m.to) == 1 for m in mail.outbox)
    by_to = {m.to[0]: m for m in mail.outbox}
    kt1 = by_to["kt1@so-ct.example.vn"]
    bloc, year = bloc_year.bloc.name, bloc_year.emulation_year.year
    assert kt1.subject == f"Nhắc nhở chấm điểm thi đua — {bloc} năm {year}"
    others = sorted((world.units[c] for c in ("KT2", "KT3", "KT4", "KT5")),
                    key=lambda u: u.sort_key)
    assert kt1.body == (
        f"Kính gửi cán bộ thi đua {kt['KT1']},\n\n"
        f"Đến nay đơn vị còn thiếu các phiếu chấm điểm sau trong {bloc} năm {year}:\n"
        + "".join(f"- Phiếu chấm chéo {u.name}: chưa chấm.\n" for u in others)
        + f"\nĐề nghị đơn vị hoàn thành và gửi phiếu tại: "
          f"http://testserver/khoi/{bloc_year.pk}/cham-cheo/\n\n"
          f"Đơn vị Trưởng khối: {bloc_year.leader_unit.name}.\n")
    # KT2 has opened its sheet on KT1 (a draft) and owes the other three.
    kt2_lines = [line for line in by_to["kt2@so-tc.example.vn"].body.splitlines()
                 if line.startswith("- ")]
    assert f"- Phiếu chấm chéo {kt['KT1']}: đang chấm, chưa gửi." in kt2_lines
    assert len(kt2_lines) == 4
    # KT3 never opened its self-assessment: that comes first.
    kt3_lines = [line for line in by_to["kt3@so-yt.example.vn"].body.splitlines()
                 if line.startswith("- ")]
    assert kt3_lines[0] == "- Phiếu tự chấm điểm: chưa mở."
    assert len(kt3_lines) == 5
    # The records: one per unit reached, with to whom and what, and an audit event each.
    rows = {r.unit.code: r for r in Reminder.objects.select_related("unit")}
    assert set(rows) == {"KT1", "KT2", "KT3", "KT5"}
    assert rows["KT1"].recipients == ["kt1@so-ct.example.vn"]
    assert rows["KT1"].missing == [f"Phiếu chấm chéo {u.name}: chưa chấm." for u in others]
    assert rows["KT1"].sent_by == world.users["leader"]
    events = AuditEvent.objects.filter(action="scoring.reminder.send")
    assert events.count() == 4
    assert sorted(e.after["unit"] for e in events) == ["KT1", "KT2", "KT3", "KT5"]
    # The page lists them for the leader, and says who could not be reached.
    table = page.by_id("bang-nhac-nho")
    shown = {tr.attrs["data-unit"]: tr for tr in table.find("tbody").find_all("tr")}
    assert set(shown) == {"KT1", "KT2", "KT3", "KT5"}
    cells = [td.text for td in shown["KT1"].find_all("td")]
    assert cells[1:3] == [kt["KT1"], "kt1@so-ct.example.vn"]
    assert [li.text for li in shown["KT1"].find_all("li")] == rows["KT1"].missing
    assert f"{kt['KT4']}: cán bộ thi đua chưa có địa chỉ email." in page.text


def test_a_unit_is_not_reminded_twice_within_the_interval(world, as_who, settings):
    settings.SCORING_REMINDER_INTERVAL_HOURS = 24
    bloc_year, _, _, _ = with_addresses(world)
    send(as_who, bloc_year)
    assert len(mail.outbox) == 4
    page = parse(as_who("leader").post(f"/khoi/{bloc_year.pk}/cham-cheo/nhac-nho/",
                                       follow=True))
    assert len(mail.outbox) == 4 and Reminder.objects.count() == 4
    assert "đã nhắc trong vòng 24 giờ qua." in page.text
    # 25 hours later KT1's reminder is due again; the others were sent just now.
    Reminder.objects.filter(unit=world.units["KT1"]).update(
        sent_at=Reminder.objects.get(unit=world.units["KT1"]).sent_at
        - datetime.timedelta(hours=25))
    send(as_who, bloc_year)
    assert [m.to for m in mail.outbox[4:]] == [["kt1@so-ct.example.vn"]]
    assert Reminder.objects.filter(unit=world.units["KT1"]).count() == 2
    assert AuditEvent.objects.filter(action="scoring.reminder.send").count() == 5


def test_only_the_blocs_runners_send_reminders(world, as_who):
    bloc_year, _, _, _ = with_addresses(world)
    for who, status in (("officer", 403), ("peer", 403), ("outsider", 404)):
        assert send(as_who, bloc_year, who).status_code == status, who
    assert mail.outbox == [] and not Reminder.objects.exists()
    assert not AuditEvent.objects.filter(action="scoring.reminder.send").exists()
    # A unit officer does not see the button nor the records.
    page = parse(as_who("officer").get(f"/khoi/{bloc_year.pk}/cham-cheo/"))
    assert page.by_id("gui-nhac-nho") is None and page.by_id("bang-nhac-nho") is None
