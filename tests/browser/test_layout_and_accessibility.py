"""Every page of each role's journey, in Chromium: it fits a 360 px phone without sideways
scrolling, its buttons and section links keep their labels on one line, and axe-core finds
no WCAG 2 A or AA violation, on a phone (390 px) and on a desktop (1280 px)."""

import datetime
from decimal import Decimal

import pytest

from assistance.models import ProjectBeneficiary
from households.models import ImportJob, Member
from households.monitoring import monitoring_open
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A cadre or a team on a phone; staff (and cadres at the office) on a desktop too, where
# the navigation bar is shown open.
PHONE, DESKTOP = (390, 844), (1280, 900)
AXE_SIZES = {"cadre": [PHONE, DESKTOP], "team": [PHONE], "staff": [DESKTOP, PHONE]}


@pytest.fixture
def journey(world):
    """The world with what the pages show when they are full: a household of five with
    long names and two years of income, visits with a photo and a follow-up, a monitored
    household, phone numbers, a project's beneficiaries."""
    own = world.households.own
    own.phone = "13800001111"
    own.address = "新田村一组四十三号（老学校旁边）"
    own.save()
    for name, relation in [("欧阳秀英", "spouse"), ("张小明", "son"), ("张小红", "daughter")]:
        f.MemberFactory(household=own, name=name, relation=relation)
    f.MemberFactory(household=own, name="张老汉", relation="parent", health="chronic")
    assert Member.objects.filter(household=own).count() == 5
    f.IncomeFactory(household=own, year=2024, wage_income=Decimal("12345.67"))
    visit = f.VisitFactory(
        household=own,
        visitor=world.profiles.cadre.user,
        visited_on=datetime.date.today() - datetime.timedelta(days=3),
        findings="房屋漏雨已修好，老人身体好转，孩子在镇中学读初二",
        follow_up="联系镇卫生院上门体检",
    )
    f.VisitPhotoFactory(visit=visit)
    world.visit = visit
    monitoring_open(
        household=own,
        category="marginal",
        reason="家中主要劳动力因病住院，收入骤降",
        user=world.profiles.staff.user,
    )
    ProjectBeneficiary.objects.create(project=world.projects.a, household=own, how="入股分红")
    # A roster checked and waiting for confirmation, with its preview, for each editor.
    world.imports = {}
    for role in ("team", "staff"):
        world.imports[role] = ImportJob.objects.create(
            filename="新田村花名册（2026年更新）.xlsx",
            file="imports/roster.xlsx",
            created_by=getattr(world.profiles, role).user,
            status=ImportJob.Status.CHECKED,
            progress=100,
            counts={
                "households": {"create": 1, "update": 1, "same": 40},
                "members": {"create": 4, "update": 1, "same": 120},
                "rows": 125,
            },
            preview={
                "create": [{"head": "欧阳新户", "village": "新田村", "card": "", "members": 3}],
                "update": [
                    {
                        "head": "张国强",
                        "village": "新田村",
                        "card": own.card_number,
                        "members": 5,
                        "changes": ["联系电话", "新增成员 1 人", "2025 年收入有变更"],
                    }
                ],
            },
        )
    return world


def pages_for(role: str, world) -> list[str]:
    own, neighbour = world.households.own, world.households.neighbour
    household = own if role in {"cadre", "team"} else neighbour
    pages = [
        "/",
        "/households/",
        f"/households/{household.pk}/",
        f"/households/{household.pk}/visits/new/",
        f"/households/{household.pk}/visits/",
        f"/households/visits/{world.visit.pk}/photos/new/",
        "/households/visits/",
        "/households/monitoring/",
        "/villages/",
        "/villages/exit/",
        f"/villages/{world.villages.a1.pk}/register/",
        f"/assistance/plans/{household.plan.pk}/",
        f"/assistance/plans/{household.plan.pk}/items/new/",
        f"/assistance/items/{household.item.pk}/deliver/",
        "/assistance/projects/",
        f"/assistance/projects/{world.projects.a.pk}/",
        f"/assistance/projects/{world.projects.a.pk}/notice/",
        "/assistance/loans/",
        f"/assistance/loans/{household.loan.pk}/",
        f"/assistance/villages/{world.villages.a1.pk}/loan-notice/",
        "/assistance/measures/",
        "/reports/",
        f"/reports/{world.runs.a.pk if role == 'staff' else world.runs.a1.pk}/",
        "/accounts/password/",
    ]
    if role == "cadre":
        pages[1:1] = ["/households/mine/"]
        pages[-2] = f"/reports/{world.runs.cadre.pk}/"
    if role in {"team", "staff"}:
        pages += [
            f"/households/{household.pk}/edit/",
            f"/households/{household.pk}/income/new/",
            "/households/imports/",
            f"/households/imports/{world.imports[role].pk}/",
            "/households/new/",
        ]
    if role == "staff":
        pages += [
            "/assistance/funds/",
            f"/assistance/funds/{world.funds.a.pk}/",
            f"/assistance/funds/{world.funds.a.pk}/entries/new/",
            "/registers/renovations/new/",
            "/assistance/pairings/",
        ]
    return pages


@pytest.mark.parametrize("role", ["cadre", "team", "staff"])
def test_every_page_of_the_journey_fits_a_phone_and_passes_axe(
    role, page, live_server, journey, login, axe, layout_problems
):
    login(role)
    layout, violations = {}, {}
    for path in pages_for(role, journey):
        page.set_viewport_size({"width": 360, "height": 800})
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        if problems := layout_problems(page):
            layout[path] = problems
        for width, height in AXE_SIZES[role]:
            page.set_viewport_size({"width": width, "height": height})
            if found := axe(page):
                violations[f"{path} at {width} px"] = found
    assert layout == {}, "\n".join(f"{p}: {problems}" for p, problems in layout.items())
    assert violations == {}, "\n".join(f"{p}: {found}" for p, found in violations.items())


def test_the_login_page_and_the_open_menu_pass_axe(page, live_server, world, login, axe):
    page.goto(live_server.url + "/accounts/login/")
    assert axe(page) == []
    login("cadre")
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="我的帮扶户").wait_for()
    assert axe(page) == []
