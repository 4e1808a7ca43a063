"""Opening next year from the page: the province only; the elected leader (voting app)
pre-selected; rotation (RULES.md 4) refused with its sentence, nothing written."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import cast_close_publish, leader_election

from thidua.org.models import BlocYear, RoleAssignment

pytestmark = pytest.mark.django_db
WHO = ["admin", "secretariat", "other_secretariat", "leader", "officer", "peer", "outsider",
       "delegate", "nobody"]


def test_next_year_page_matrix(client, world, kt):
    url = reverse("award_next_year", args=[kt.pk])
    seen = {}
    for who in WHO:
        client.logout()
        client.force_login(world.users[who])
        seen[who] = client.get(url).status_code
    assert seen == {"admin": 200, "secretariat": 200, "leader": 403, "officer": 403,
                    "peer": 403, "delegate": 403, "outsider": 404, "other_secretariat": 404,
                    "nobody": 404}


def test_open_next_year_with_the_elected_leader(client, world, kt, kt_conference):
    poll = leader_election(world, kt_conference)
    cast_close_publish(world, poll, {c: ["KT2"] for c in ("KT1", "KT2", "KT3", "KT4", "KT5")})
    u = world.units
    client.force_login(world.users["secretariat"])
    url = reverse("award_next_year", args=[kt.pk])
    page = client.get(url).content.decode()
    assert 'id="ket-qua-bau"' in page
    assert re.search(rf'<option value="{u["KT2"].pk}" selected>', page)
    response = client.post(url, {"leader": u["KT1"].pk, "deputies": [u["KT3"].pk]})
    assert response.status_code == 400
    assert "Quy tắc 4" in response.content.decode()
    assert not BlocYear.objects.filter(emulation_year__year=world.year.year + 1).exists()
    response = client.post(url, {"leader": u["KT2"].pk, "deputies": [u["KT3"].pk]})
    new = BlocYear.objects.get(bloc=kt.bloc, emulation_year__year=world.year.year + 1)
    assert response.status_code == 302 and response["Location"] == reverse("bloc_year",
                                                                          args=[new.pk])
    assert (new.leader_unit_id, list(new.deputy_units.values_list("pk", flat=True))) == (
        u["KT2"].pk, [u["KT3"].pk])
    # The new leader unit's officer is told to be the new year's leader officer.
    page = client.get(response["Location"]).content.decode()
    assert (f"Đã mở năm thi đua {world.year.year + 1} của khối. Cán bộ Trưởng khối năm "
            f"{world.year.year + 1}: Can Bo Khac.") in page


def test_a_leader_unit_without_an_officer_is_named(client, world, kt):
    u = world.units
    RoleAssignment.objects.filter(unit=u["KT4"]).delete()
    client.force_login(world.users["secretariat"])
    # No election was held: the province's decision comes with the leader (RULES.md 3).
    response = client.post(reverse("award_next_year", args=[kt.pk]),
                           {"leader": u["KT4"].pk, "deputies": [u["KT3"].pk],
                            "decision_number": "12/QĐ-UBND",
                            "decision_date": timezone.localdate().isoformat(),
                            "decision_reason": "Hội nghị không tổ chức bầu Trưởng khối"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert (f"Đài Phát thanh chưa có tài khoản cán bộ thi đua: cần phân quyền cán bộ "
            f"Trưởng khối năm {world.year.year + 1}.") in page
