"""A county's plan items run to thousands: the forms that link money or a register record to
one offer a few and find the others by a search typed on the phone."""

import pytest
from playwright.sync_api import expect

from assistance import register_selectors as rs
from assistance.models import HousingRenovation
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_find_a_renovation_measure_by_typing_and_register_it(page, live_server, world, login):
    kind = f.MeasureKindFactory(code="housing", name="危房改造", name_en="Housing renovation")
    items = [
        f.PlanItemFactory(plan=world.households.own.plan, kind=kind, description=f"改造第{n}项")
        for n in range(rs.ITEMS_SHOWN + 3)
    ]
    login("staff")
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/registers/renovations/new/")
    select = page.locator("select[name=plan_item]")
    offered = select.locator("option[value]:not([value=''])")
    expect(offered).to_have_count(rs.ITEMS_SHOWN)
    wanted = next(
        item for item in items if select.locator(f"option[value='{item.pk}']").count() == 0
    )

    page.get_by_placeholder("按户主、村、建档立卡编号或措施查找").fill(wanted.description)
    expect(offered).to_have_count(1)
    select.select_option(str(wanted.pk))
    page.fill("input[name=year]", "2025")
    page.select_option("select[name=grade]", "D")
    page.select_option("select[name=method]", "rebuild")
    page.fill("input[name=subsidy]", "20000")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("危房改造已登记")).to_be_visible()
    assert HousingRenovation.objects.get().plan_item == wanted
