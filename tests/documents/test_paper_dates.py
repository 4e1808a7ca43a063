"""Issue 15, item 3: a paper's date is its event's date, in local time (Asia/Ho_Chi_Minh)
— the minutes, count records and ballots the meeting's day, whenever they are printed; a
paper signed on a day carries the signing date the user typed when it is issued, and an
unnumbered draft leaves "ngày … tháng … năm …" to write by hand. Read back from the DOCX."""

import datetime
import json

from django.test import Client
from django.utils import timezone

from thidua.core import dates
from thidua.documents import services
from thidua.documents.models import Document, NumberCounter
from thidua.scoring.models import PublishedRanking
from thidua.voting import services as voting

from . import conference as conf
from .test_documents import body_lines, cell_lines, header, leader_of, read

UTC = datetime.UTC
BLANK = "Bắc Ninh, ngày … tháng … năm …"


def date_line(doc) -> str:
    return cell_lines(header(doc)[1])[2]


def api(user):
    client = Client()
    client.force_login(user)
    return client


def test_conference_papers_carry_the_meetings_local_day(world):
    leader = world.actor("leader")
    run = conf.run(leader, world.bloc_years["KT"])
    # The meeting at 07:30 on 07/12 in Hà Nội time is still 06/12 in UTC.
    held = datetime.datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    type(run.conference).objects.filter(pk=run.conference.pk).update(held_at=held)
    meeting = "Bắc Ninh, ngày 07 tháng 12 năm 2026"
    for slug, pk in (("bien-ban-hop", run.conference.pk), ("kiem-phieu", run.award.pk)):
        assert date_line(read(services.draft(leader, slug, pk).content)) == meeting, slug
        issued = services.issue(leader, slug, pk, on=datetime.date(2027, 1, 3))
        assert date_line(read(bytes(issued.docx))) == meeting, slug
        assert issued.issued_on == datetime.date(2027, 1, 3)  # the registry: when numbered
    minutes = read(services.draft(leader, "bien-ban-hop", run.conference.pk).content)
    assert "Thời gian: 07 giờ 30, ngày 07 tháng 12 năm 2026." in body_lines(minutes)


def test_printed_ballots_are_dated_the_conference_day(world):
    leader = world.actor("leader")
    conference, present, _ = conf.start(leader, world.bloc_years["KT"])
    poll = conf.open_award_poll(leader, conference)
    voting.issue_paper_ballots(leader, poll, [present[0].id])
    held = timezone.localtime(conference.held_at).date()
    doc = read(services.draft(leader, "phieu-bau", poll.pk,
                              on=held + datetime.timedelta(days=3)).content)
    assert date_line(doc) == dates.date_line("Bắc Ninh", held)


def test_ranking_publication_date_is_the_local_day_not_utc(demo_year):
    PublishedRanking.objects.filter(table__bloc_year=demo_year).update(
        published_at=datetime.datetime(2026, 12, 6, 23, 30, tzinfo=UTC))  # 07/12 06:30
    doc = read(services.draft(leader_of(demo_year), "xep-hang", demo_year.pk).content)
    [intro] = [line for line in body_lines(doc) if "công bố ngày" in line]
    assert "công bố ngày 07/12/2026" in intro
    assert date_line(doc) == BLANK  # a draft: the signer writes the date


def test_signing_date_typed_on_the_page_and_refused_when_wrong(world, client):
    from web.conftest import register

    registration = register(world, "officer", "KT1")
    client.force_login(world.users["officer"])
    url = f"/van-ban/dang-ky/{registration.pk}/ban-hanh/"
    today = timezone.localdate()
    page = client.get(f"/van-ban/dang-ky/{registration.pk}/").content.decode()
    assert f'name="ngay_ky" value="{today:%Y-%m-%d}"' in page
    for typed, message in (
            ((today + datetime.timedelta(days=1)).isoformat(),
             f"không được sau hôm nay ({today:%d/%m/%Y})"),
            ("31/02/2026", "Ngày ký “31/02/2026” không hợp lệ"),
            (f"{today.year - 2}-06-01", "quá cũ")):
        response = client.post(url, {"ngay_ky": typed})
        assert response.status_code == 400, typed
        assert message in response.content.decode(), typed
        assert f'value="{typed}"' in response.content.decode()  # what was typed stays
    assert not Document.objects.exists() and not NumberCounter.objects.exists()
    signed = datetime.date(today.year, 1, 2)
    assert client.post(url, {"ngay_ky": signed.isoformat()}).status_code == 302
    document = Document.objects.get()
    assert (document.issued_on, document.year) == (signed, signed.year)
    assert date_line(read(bytes(document.docx))) == \
        f"Bắc Ninh, ngày 02 tháng 01 năm {signed.year}"
    # The draft stays unsigned: its date is left to write.
    draft = client.get(f"/van-ban/dang-ky/{registration.pk}/du-thao.docx")
    assert date_line(read(draft.content)) == BLANK


def test_signing_date_through_the_api(world):
    leader = world.actor("leader")
    run = conf.run(leader, world.bloc_years["KT"])
    client = api(world.users["leader"])
    today = timezone.localdate()
    base = "/api/v1/documents"

    def issue(kind, pk, body):
        return client.post(f"{base}/{kind}/{pk}/issue", json.dumps(body),
                           content_type="application/json")

    future = issue("giao-uoc", world.bloc_years["KT"].pk,
                   {"signed_on": (today + datetime.timedelta(days=30)).isoformat()})
    assert future.status_code == 400 and "không được sau hôm nay" in future.json()["detail"]
    assert issue("giao-uoc", world.bloc_years["KT"].pk,
                 {"signed_on": "2026-02-30"}).status_code == 422
    # The minutes carry the meeting's day and take no other.
    meeting = timezone.localtime(run.conference.held_at).date()
    other = issue("bien-ban-hop", run.conference.pk,
                  {"signed_on": (meeting - datetime.timedelta(days=1)).isoformat()})
    assert other.status_code == 400
    assert f"({meeting:%d/%m/%Y}), không nhận ngày ký khác" in other.json()["detail"]
    assert not Document.objects.exists() and not NumberCounter.objects.exists()
    signed = issue("giao-uoc", world.bloc_years["KT"].pk, {"signed_on": today.isoformat()})
    assert signed.status_code == 201 and signed.json()["issued_on"] == today.isoformat()
    document = Document.objects.get()
    month = f"{today.month:02d}" if today.month <= 2 else str(today.month)
    assert date_line(read(bytes(document.docx))) == \
        f"Bắc Ninh, ngày {today.day:02d} tháng {month} năm {today.year}"
