import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from households.models import Visit
from tests import factories as f

pytestmark = pytest.mark.django_db


def visit_data(**extra):
    return {
        "visited_on": datetime.date.today().isoformat(),
        "kind": "home",
        "findings": "老人身体好转",
        "help_given": "送去米油",
        "follow_up": "",
        **extra,
    }


@pytest.fixture
def cadre(client, world):
    client.force_login(world.profiles.cadre.user)
    return client


def test_a_cadre_logs_a_visit_and_sees_it_on_the_card(cadre, world):
    hh = world.households.own
    response = cadre.post(reverse("households:visit_create", args=[hh.pk]), visit_data())
    assert response["Location"] == reverse("households:detail", args=[hh.pk])
    visit = Visit.objects.get()
    assert visit.visitor == world.profiles.cadre.user
    assert "老人身体好转" in cadre.get(response["Location"]).content.decode()


def test_a_resubmission_with_the_same_token_creates_no_duplicate(cadre, world):
    hh = world.households.own
    token = str(uuid.uuid4())
    url = reverse("households:visit_create", args=[hh.pk])
    cadre.post(url, visit_data(client_token=token))
    again = cadre.post(url, visit_data(client_token=token))
    assert again.status_code == 302
    assert Visit.objects.count() == 1


def test_a_visit_in_the_future_is_refused(cadre, world):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = cadre.post(
        reverse("households:visit_create", args=[world.households.own.pk]),
        visit_data(visited_on=tomorrow),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["visited_on"]
    assert not Visit.objects.exists()


def test_an_acknowledgment_names_who_gave_it(cadre, world):
    response = cadre.post(
        reverse("households:visit_create", args=[world.households.own.pk]),
        visit_data(acknowledged="on"),
    )
    assert "acknowledged_by" in response.context["form"].errors


def test_photos_are_saved_and_served_only_within_the_scope(cadre, client, world):
    hh = world.households.own
    photo = SimpleUploadedFile("roof.png", f.png_bytes(), content_type="image/png")
    cadre.post(reverse("households:visit_create", args=[hh.pk]), visit_data(photos=[photo]))
    stored = Visit.objects.get().photos.get()
    url = reverse("households:photo", args=[stored.pk])
    response = cadre.get(url)
    assert response.status_code == 200
    # Stored as our own re-encoded JPEG (township/uploads.py), whatever was uploaded.
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    cadre.force_login(world.profiles.cadre2.user)
    assert cadre.get(url).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused(cadre, world):
    fake = SimpleUploadedFile("virus.jpg", b"MZ this is not an image", content_type="image/jpeg")
    response = cadre.post(
        reverse("households:visit_create", args=[world.households.own.pk]),
        visit_data(photos=[fake]),
    )
    assert "virus.jpg" in str(response.context["form"].errors["photos"])
    assert not Visit.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(cadre, world, settings):
    settings.BANGFU_PHOTO_MAX_BYTES = 50
    photo = SimpleUploadedFile("big.png", f.png_bytes(size=(64, 64)), content_type="image/png")
    response = cadre.post(
        reverse("households:visit_create", args=[world.households.own.pk]),
        visit_data(photos=[photo]),
    )
    assert "big.png" in str(response.context["form"].errors["photos"])
    assert not Visit.objects.exists()


def test_my_households_flags_overdue_visits_and_open_follow_ups(cadre, world):
    hh = world.households.own
    rows = cadre.get(reverse("households:mine")).context["rows"]
    assert [(r.pk, r.overdue) for r in rows] == [(hh.pk, True)]
    f.VisitFactory(household=hh, visited_on=datetime.date.today(), follow_up="修缮厨房")
    row = cadre.get(reverse("households:mine")).context["rows"][0]
    assert (row.overdue, row.open_follow_ups) == (False, 1)


def test_my_households_shows_when_the_next_visit_is_due_and_a_number_to_call(
    cadre, world, settings
):
    settings.BANGFU_VISIT_INTERVAL_DAYS = 20
    hh = world.households.own
    hh.phone = "13800001111"
    hh.save()
    last = datetime.date.today() - datetime.timedelta(days=5)
    f.VisitFactory(household=hh, visited_on=last)
    response = cadre.get(reverse("households:mine"))
    due = last + datetime.timedelta(days=20)
    assert response.context["rows"][0].next_visit_due == due
    assert date_format(due) in response.content.decode()
    assert 'href="tel:13800001111"' in response.content.decode()


def test_visits_are_listed_per_household(cadre, world):
    hh = world.households.own
    for day in range(1, 4):
        f.VisitFactory(household=hh, visited_on=datetime.date(2025, 3, day))
    page = cadre.get(reverse("households:visits", args=[hh.pk])).context["page"]
    assert [v.visited_on.day for v in page.object_list] == [3, 2, 1]


def test_the_offline_draft_script_is_told_where_to_go(cadre, world):
    hh = world.households.own
    response = cadre.post(
        reverse("households:visit_create", args=[hh.pk]), visit_data(), HTTP_X_DRAFT_SUBMIT="1"
    )
    assert response.json() == {
        "location": reverse("households:detail", args=[hh.pk]),
        "visit": Visit.objects.get().pk,
        "created": True,
    }
    assert "已记录" in cadre.get(response.json()["location"]).content.decode()


def test_the_offline_draft_script_is_told_what_to_correct(cadre, world):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = cadre.post(
        reverse("households:visit_create", args=[world.households.own.pk]),
        visit_data(visited_on=tomorrow),
        HTTP_X_DRAFT_SUBMIT="1",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["visited_on"]
    assert not Visit.objects.exists()


def png(name, colour=(200, 30, 30)):
    return SimpleUploadedFile(name, f.png_bytes(colour=colour), content_type="image/png")


def test_a_resend_after_a_lost_answer_stores_neither_the_visit_nor_its_photos_twice(cadre, world):
    url = reverse("households:visit_create", args=[world.households.own.pk])
    token, photo_tokens = str(uuid.uuid4()), [uuid.uuid4().hex, uuid.uuid4().hex]

    def send(*names):
        return cadre.post(
            url,
            visit_data(
                client_token=token,
                photos=[png(n) for n in names],
                photo_tokens=photo_tokens[: len(names)],
            ),
            HTTP_X_DRAFT_SUBMIT="1",
        )

    first, again = send("a.png", "b.png"), send("a.png", "b.png")
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    visit = Visit.objects.get()
    assert sorted(visit.photos.values_list("token", flat=True)) == sorted(photo_tokens)


def test_a_photo_attached_to_a_draft_after_its_first_send_is_added_by_the_resend(cadre, world):
    url = reverse("households:visit_create", args=[world.households.own.pk])
    token, tokens = str(uuid.uuid4()), [uuid.uuid4().hex for _ in range(3)]
    cadre.post(url, visit_data(client_token=token, photos=[png("a.png")], photo_tokens=tokens[:1]))
    cadre.post(
        url,
        visit_data(
            client_token=token,
            photos=[png("a.png"), png("b.png"), png("c.png")],
            photo_tokens=tokens,
        ),
    )
    assert Visit.objects.count() == 1
    assert sorted(Visit.objects.get().photos.values_list("token", flat=True)) == sorted(tokens)


def test_someone_else_resending_a_token_adds_nothing_to_the_visit(client, cadre, world):
    url = reverse("households:visit_create", args=[world.households.own.pk])
    token = str(uuid.uuid4())
    cadre.post(url, visit_data(client_token=token))
    client.force_login(world.profiles.team.user)
    client.post(
        url, visit_data(client_token=token, photos=[png("x.png")], photo_tokens=[uuid.uuid4().hex])
    )
    assert Visit.objects.get().photos.count() == 0


def test_a_token_of_another_households_visit_does_not_answer_with_that_visit(cadre, world):
    """A token is no key to someone else's visit: the form is saved as a new visit."""
    h = world.households
    token = str(uuid.uuid4())
    other = Client()
    other.force_login(world.profiles.cadre2.user)
    other.post(
        reverse("households:visit_create", args=[h.colleague.pk]),
        visit_data(client_token=token),
        HTTP_X_DRAFT_SUBMIT="1",
    )
    theirs = Visit.objects.get()
    answer = cadre.post(
        reverse("households:visit_create", args=[h.own.pk]),
        visit_data(client_token=token),
        HTTP_X_DRAFT_SUBMIT="1",
    ).json()
    assert answer["created"] is True
    assert answer["visit"] != theirs.pk
    assert answer["location"] == reverse("households:detail", args=[h.own.pk])
    assert Visit.objects.get(pk=answer["visit"]).household == h.own


def test_photos_are_added_to_a_saved_visit_once(cadre, world):
    visit = f.VisitFactory(household=world.households.own, visitor=world.profiles.cadre.user)
    url = reverse("households:visit_photos_add", args=[visit.pk])
    page = cadre.get(url).content.decode()
    assert visit.findings in page and 'type="file" name="photos"' in page
    token = uuid.uuid4().hex
    response = cadre.post(url, {"photos": [png("later.png")], "photo_tokens": [token]})
    assert response["Location"].endswith(f"#visit-{visit.pk}")
    again = cadre.post(
        url, {"photos": [png("later.png")], "photo_tokens": [token]}, HTTP_X_DRAFT_SUBMIT="1"
    )
    assert again.json()["created"] is False
    assert list(visit.photos.values_list("token", "uploaded_by")) == [
        (token, world.profiles.cadre.user.pk)
    ]
    card = cadre.get(reverse("households:detail", args=[world.households.own.pk]))
    assert reverse("households:photo", args=[visit.photos.get().pk]) in card.content.decode()


def test_a_visit_holds_no_more_photos_than_the_limit(cadre, world, settings):
    settings.BANGFU_VISIT_PHOTOS_MAX = 2
    visit = f.VisitFactory(household=world.households.own, visitor=world.profiles.cadre.user)
    f.VisitPhotoFactory(visit=visit)
    response = cadre.post(
        reverse("households:visit_photos_add", args=[visit.pk]),
        {"photos": [png("1.png"), png("2.png")]},
        HTTP_X_DRAFT_SUBMIT="1",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["photos"]
    assert visit.photos.count() == 1


def test_the_service_worker_is_served_from_the_root_and_never_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/static/js/visit-draft.js"' in body
    assert "/households/mine/" in body.replace("\\/", "/")


def test_a_cadre_sees_their_own_visits_by_default_and_others_on_request(client, world):
    mine = f.VisitFactory(household=world.households.own, visitor=world.profiles.cadre.user)
    f.VisitFactory(household=world.households.own, visitor=world.profiles.team.user)
    f.VisitFactory(household=world.households.colleague, visitor=world.profiles.cadre2.user)
    client.force_login(world.profiles.cadre.user)
    url = reverse("households:visit_list")
    assert [v.pk for v in client.get(url).context["page"].object_list] == [mine.pk]
    everyone = client.get(url, {"visitor": ""}).context["page"].object_list
    assert {v.household_id for v in everyone} == {world.households.own.pk}
    assert len(everyone) == 2


def test_a_long_visit_list_is_counted_only_a_few_pages_ahead(client, world, monkeypatch):
    """A county's visits are not all counted for the pager: below the bound the count is
    exact; above it the pager says "more than", and paging on moves the bound with it."""
    from township import paging

    monkeypatch.setattr(paging, "BOUND", 30)
    monkeypatch.setattr(paging, "PAGES_AHEAD", 1)
    Visit.objects.bulk_create(
        [
            Visit(
                household=world.households.own,
                village=world.households.own.village,
                visitor=world.profiles.staff.user,
                visited_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
                kind="home",
                findings=f"第{n}次",
            )
            for n in range(100)
        ]
    )
    client.force_login(world.profiles.staff.user)
    url = reverse("households:visit_list")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url, {"visitor": ""})
    counts = [
        q["sql"]
        for q in queries.captured_queries
        if 'COUNT(*) FROM (SELECT "households_visit"' in q["sql"]
    ]
    assert len(counts) == 1 and "LIMIT 51" in counts[0]  # no further than a page past the bound
    page = first.context["page"]
    assert (page.paginator.count, page.paginator.more, page.paginator.num_pages) == (50, True, 2)
    assert "第 1 页，共 2 页以上" in first.content.decode()
    third = client.get(url, {"visitor": "", "page": 3}).context["page"]
    assert third.number == 3 and third.has_next()
    assert third.object_list[0].findings == "第49次"  # newest first: 99 … 50 on pages 1 and 2
    last = client.get(url, {"visitor": "", "page": 4})
    assert last.context["page"].paginator.count == 100
    assert not last.context["page"].paginator.more and not last.context["page"].has_next()
    assert "第 4 页，共 4 页" in last.content.decode()
    beyond = client.get(url, {"visitor": "", "page": "9" * 30})  # past any list: the last page
    assert beyond.status_code == 200 and beyond.context["page"].number == 4


def test_the_visit_list_names_each_visitor_and_household_in_a_fixed_number_of_queries(
    client, world
):
    """The list loads only what its entries show; reading anything else of a visit, its
    household or its visitor would cost a query per visit."""
    url = reverse("households:visit_list")
    client.force_login(world.profiles.staff.user)
    f.VisitFactory(household=world.households.own, visitor=world.profiles.cadre.user)
    client.get(url, {"visitor": ""})
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"visitor": ""})
    nameless = f.UserFactory(username="wang.temp")  # an account without a profile
    for household in (world.households.own, world.households.colleague):
        f.VisitFactory(household=household, visitor=nameless, findings="<b>漏水</b>")
        f.VisitFactory(household=household, visitor=world.profiles.cadre2.user)
    client.get(url, {"visitor": ""})  # the figures the writes dropped, computed again
    with CaptureQueriesContext(connection) as five:
        html = client.get(url, {"visitor": ""}).content.decode()
    assert len(five) == len(one)
    assert html.count("wang.temp") == 2 and world.profiles.cadre2.name in html
    assert "&lt;b&gt;漏水&lt;/b&gt;" in html and world.households.colleague.card_number in html
