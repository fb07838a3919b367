import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import Household
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("households:list")


def listed(response) -> set[int]:
    return {h["pk"] for h in response.context["page"].object_list}


@pytest.fixture
def leader(client, world):
    client.force_login(world.profiles.leader.user)
    return client


def test_the_list_shows_only_the_scope(leader, world):
    h = world.households
    assert listed(leader.get(URL)) == {h.own.pk, h.colleague.pk, h.neighbour.pk}


def test_search_by_name(leader, world):
    head = world.households.neighbour.members.get()
    head.name = "欧阳娜"
    head.save()
    assert listed(leader.get(URL, {"q": "欧阳"})) == {world.households.neighbour.pk}


def test_a_name_is_found_by_any_piece_of_it_short_or_long(leader, world):
    names = {"own": "欧阳娜娜丽莎", "colleague": "阳光", "neighbour": "张国强"}
    for key, name in names.items():
        f.MemberFactory(household=getattr(world.households, key), name=name)
    h = world.households
    expected = {
        "阳": {h.own.pk, h.colleague.pk},
        "国强": {h.neighbour.pk},
        "欧阳娜娜": {h.own.pk},
        "阳娜娜丽莎": {h.own.pk},  # longer than the indexed pieces
        "欧阳娜娜莎": set(),  # its first pieces match, the whole does not
        "张强": set(),
    }
    for q, households in expected.items():
        with CaptureQueriesContext(connection) as queries:
            assert listed(leader.get(URL, {"q": q})) == households, q
        if connection.vendor == "postgresql":  # through the index of names' pieces
            assert any("bangfu_name_grams" in query["sql"] for query in queries), q


def test_search_by_full_id_number_and_by_its_last_digits(leader, world):
    id_number = world.households.own.members.get().id_number
    found = leader.post(reverse("households:find_by_id"), {"id_number": id_number})
    assert found["Location"] == reverse("households:detail", args=[world.households.own.pk])
    tail = leader.get(URL, {"q": id_number[-4:]})
    assert world.households.own.pk in listed(tail)
    assert world.households.own.pk in listed(leader.get(URL, {"q": id_number[-6:]}))


def test_search_by_phone(leader, world):
    Household.objects.filter(pk=world.households.colleague.pk).update(phone="13912345678")
    assert listed(leader.get(URL, {"q": "13912345678"})) == {world.households.colleague.pk}


def test_an_out_of_scope_household_is_never_found(leader, world):
    id_number = world.households.outsider.members.get().id_number
    found = leader.post(reverse("households:find_by_id"), {"id_number": id_number})
    assert found["Location"] == URL
    assert listed(leader.get(URL, {"q": id_number[-6:]})) == set()


def test_filters_by_village_status_attribute_cause_and_cadre(leader, world):
    h = world.households
    Household.objects.filter(pk=h.own.pk).update(status="exited", attribute="dibao")
    f.CauseFactory(household=h.neighbour, cause="water")
    assert listed(leader.get(URL, {"village": world.villages.a2.pk})) == {h.neighbour.pk}
    assert listed(leader.get(URL, {"status": "exited"})) == {h.own.pk}
    assert listed(leader.get(URL, {"attribute": "dibao"})) == {h.own.pk}
    assert listed(leader.get(URL, {"cause": "water"})) == {h.neighbour.pk}
    assert listed(leader.get(URL, {"cadre": world.profiles.cadre2.pk})) == {
        h.colleague.pk,
        h.neighbour.pk,
    }


def test_filter_households_without_a_recent_visit(leader, world):
    h = world.households
    f.VisitFactory(household=h.own, visited_on=datetime.date.today() - datetime.timedelta(days=3))
    f.VisitFactory(
        household=h.colleague, visited_on=datetime.date.today() - datetime.timedelta(days=90)
    )
    assert listed(leader.get(URL, {"no_visit_days": 30})) == {h.colleague.pk, h.neighbour.pk}


def test_sort_by_longest_without_a_visit_puts_never_visited_first(leader, world):
    h = world.households
    f.VisitFactory(household=h.own, visited_on=datetime.date(2025, 5, 1))
    f.VisitFactory(household=h.colleague, visited_on=datetime.date(2025, 1, 1))
    order = [x["pk"] for x in leader.get(URL, {"sort": "last_visit"}).context["page"].object_list]
    assert order == [h.neighbour.pk, h.colleague.pk, h.own.pk]


def test_id_numbers_are_masked(leader, world):
    id_number = world.households.own.members.get().id_number
    page = leader.get(URL).content.decode()
    assert id_number not in page
    assert f"{id_number[:4]}**********{id_number[-4:]}" in page


def test_htmx_asks_only_for_the_results(leader, world):
    h = world.households
    Household.objects.filter(pk=h.neighbour.pk).update(status="exited")
    response = leader.get(URL, {"status": "poor"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert [t.name for t in response.templates][0] == "households/includes/_results.html"
    assert "<html" not in page and 'id="filters"' not in page
    links = {hh: f'href="{reverse("households:detail", args=[hh.pk])}"' for hh in vars(h).values()}
    assert links[h.own] in page and links[h.colleague] in page
    assert links[h.neighbour] not in page and links[h.outsider] not in page


def test_a_bad_filter_value_is_explained_not_crashed(leader, world):
    response = leader.get(URL, {"no_visit_days": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_pages_of_25(leader, world):
    for _ in range(30):
        f.HouseholdFactory(village=world.villages.a2)
    first = leader.get(URL)
    second = leader.get(URL, {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 8


def test_the_query_count_does_not_grow_with_the_page(leader, world):
    leader.get(reverse("login"))  # the session's first write, out of the counts
    with CaptureQueriesContext(connection) as few:
        leader.get(URL)
    for _ in range(30):
        hh = f.HouseholdFactory(village=world.villages.a2)
        f.HeadFactory(household=hh)
        f.MemberFactory(household=hh)
        f.VisitFactory(household=hh)
        f.PairingFactory(household=hh, cadre=world.profiles.cadre2)
    with CaptureQueriesContext(connection) as many:
        response = leader.get(URL)
    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few)


def test_the_count_kept_for_a_list_follows_a_new_card_and_each_filter(leader, world):
    def count(**query):
        return leader.get(URL, query).context["page"].paginator.count

    assert (count(), count(village=world.villages.a2.pk)) == (3, 1)
    f.HeadFactory(household=f.HouseholdFactory(village=world.villages.a2), name="石头")
    assert (count(), count(village=world.villages.a2.pk), count(q="石头")) == (4, 2, 1)


def test_a_kept_count_is_not_built_again(leader, world, monkeypatch):
    """Once a search's count is kept, the next page asks the database for its rows only:
    the counting query (a search's subqueries) is not even built."""
    from households import selectors

    query = {"q": "欧阳", "status": "registered"}
    first = leader.get(URL, query).context["page"].paginator.count
    built = []
    filtered = selectors.households_filtered

    def counting(*args, **kwargs):
        built.append(kwargs)
        return filtered(*args, **kwargs)

    monkeypatch.setattr(selectors, "households_filtered", counting)
    again = leader.get(URL, query)
    assert again.context["page"].paginator.count == first
    assert len(built) == 1  # the rows of the page, not their count


def test_each_row_shows_the_card_as_it_stands_with_its_text_escaped(leader, world):
    import lxml.html
    from django.utils import translation

    own = world.households.own
    f.VisitFactory(household=own, visited_on=datetime.date(2025, 5, 1))
    Household.objects.filter(pk=own.pk).update(
        head_name="王<script>x</script>", group_name="三组&<i>", attribute="dibao"
    )
    own.refresh_from_db()
    response = leader.get(URL, {"sort": "card"})
    html = response.content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    rows = lxml.html.fromstring(response.content).xpath("//table/tbody/tr")
    shown = {
        row.xpath("td[1]/a/@href")[0]: [td.text_content().strip() for td in row.xpath("td")]
        for row in rows
    }
    head = own.members.get()
    with translation.override("zh-hans"):
        expected = [
            "王<script>x</script>",
            f"{head.id_number[:4]}**********{head.id_number[-4:]}",
            f"{own.village.name} · 三组&<i>",
            "1",
            str(own.get_attribute_display()),
            str(own.get_status_display()),
            world.profiles.cadre.name,
            "2025年5月1日",
        ]
    assert shown[reverse("households:detail", args=[own.pk])] == expected
    never = shown[reverse("households:detail", args=[world.households.neighbour.pk])]
    assert never[-1] == "无"  # never visited
    assert 'class="badge text-bg-danger"' in html  # a poor household's status colour
