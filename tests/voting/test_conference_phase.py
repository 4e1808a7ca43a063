"""The conference's votes only in the conference phase (issue 11 item 9): a poll opened in
the appraisal phase would end in a proposal the province refuses ("Lập đề nghị khen
thưởng chỉ thực hiện ở giai đoạn «Hội nghị tổng kết»"), so opening it is refused the same
way — 409 with the same sentence on the service, the page and the API, nothing written —
while preparing the conference (its time, the roll call, the candidate list) may come
first. One rule for both: `org.domain.phases.conference_phase_problem`."""

import pytest
from django.urls import reverse
from tests.factories import award_poll

from api.conftest import Api
from thidua.core.errors import Conflict
from thidua.core.models import AuditEvent
from thidua.org.domain.phases import Phase
from thidua.org.models import BlocYear
from thidua.voting import services
from thidua.voting.models import Poll
from web.page import parse

pytestmark = pytest.mark.django_db
REFUSED = ("Mở bỏ phiếu tại hội nghị chỉ thực hiện ở giai đoạn «Hội nghị tổng kết» (khối "
           "đang ở giai đoạn «Chấm chéo, thẩm định»): chuyển khối sang giai đoạn «Hội nghị "
           "tổng kết» trước.")


@pytest.fixture
def early(world, present):
    """The conference prepared — everyone present, an award poll listed — while the bloc
    year is still in the appraisal phase."""
    poll = award_poll(world, present)
    BlocYear.objects.filter(pk=present.bloc_year_id).update(phase=Phase.APPRAISAL)
    return poll


def unchanged(poll):
    return (Poll.objects.get(pk=poll.pk).state, Poll.objects.get(pk=poll.pk).seal_key,
            AuditEvent.objects.filter(action="voting.poll.open").count()) == ("created", "", 0)


def test_a_poll_opens_only_in_the_conference_phase(world, early):
    with pytest.raises(Conflict) as refused:
        services.open_poll(world.actor("leader"), early)
    assert refused.value.messages == [REFUSED]
    assert unchanged(early)
    # The province too (it runs conferences as well): the phase is the same for everyone.
    with pytest.raises(Conflict):
        services.open_poll(world.actor("secretariat"), early)
    # Moved to the conference, the same poll opens; the proposal phase after it too.
    BlocYear.objects.filter(pk=early.conference.bloc_year_id).update(phase=Phase.CONFERENCE)
    assert services.open_poll(world.actor("leader"), early).state == "open"


def test_the_page_and_the_api_refuse_with_the_same_sentence(world, early, client):
    client.force_login(world.users["leader"])
    page = client.get(reverse("voting_conference", args=[early.conference.bloc_year_id]))
    assert parse(page).by_id("giai-doan-hoi-nghi").text.startswith(REFUSED)
    response = client.post(reverse("voting_poll_step", args=[early.pk, "mo"]))
    assert response.status_code == 409
    assert [li.text for li in parse(response).find(class_="error-summary").find_all("li")] == [
        REFUSED]
    answer = Api(world.users["leader"]).post(f"/polls/{early.pk}/open")
    assert (answer.status_code, answer.json()["detail"]) == (409, REFUSED)
    assert unchanged(early)
