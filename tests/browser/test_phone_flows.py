"""What people do on a phone, end to end in Chromium."""

import datetime

import pytest
from playwright.sync_api import expect

from households.models import Household, Visit
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cadre_logs_a_visit_from_my_households_and_sees_it_on_the_card(
    page, live_server, world, login, screenshot
):
    login("cadre")
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="我的帮扶户").click()
    expect(page.get_by_role("heading", name="我的帮扶户")).to_be_visible()
    expect(page.get_by_text("逾期").first).to_be_visible()
    screenshot("my-households")
    page.get_by_role("link", name="走访", exact=True).click()
    page.fill("textarea[name=findings]", "房屋漏雨已修好，老人身体好转")
    page.fill("textarea[name=help_given]", "送去米油各一份")
    page.check("input[name=acknowledged]")
    page.fill("input[name=acknowledged_by]", "户主本人")
    screenshot("visit-form")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_text("房屋漏雨已修好，老人身体好转")).to_be_visible()
    expect(page.get_by_text(f"已记录{datetime.date.today():%Y年%-m月%-d日}的走访")).to_be_visible()
    screenshot("card-after-visit")
    assert Visit.objects.get().household == world.households.own


def test_a_visit_typed_offline_is_kept_and_sent_once_when_the_network_returns(
    page, live_server, world, login
):
    login("cadre")
    page.goto(f"{live_server.url}/households/{world.households.own.pk}/visits/new/")
    page.fill("textarea[name=findings]", "断网时填写的走访")
    page.context.set_offline(True)
    page.get_by_role("button", name="保存走访").click()
    expect(page.locator("#draft-status")).to_contain_text("网络已断开")
    assert not Visit.objects.exists()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("断网时填写的走访")).to_be_visible()
    assert Visit.objects.count() == 1
    # Submitting the same draft again (a retry after a lost answer) creates nothing new.
    token = str(Visit.objects.get().client_token)
    page.goto(f"{live_server.url}/households/{world.households.own.pk}/visits/new/")
    page.evaluate(f"document.querySelector('input[name=client_token]').value = '{token}'")
    page.fill("textarea[name=findings]", "断网时填写的走访")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_text("此次走访已记录过")).to_be_visible()
    assert Visit.objects.count() == 1


def test_a_draft_survives_closing_the_page(page, live_server, world, login):
    login("cadre")
    url = f"{live_server.url}/households/{world.households.own.pk}/visits/new/"
    page.goto(url)
    page.fill("textarea[name=findings]", "写了一半")
    page.goto(f"{live_server.url}/")
    page.goto(url)
    expect(page.locator("textarea[name=findings]")).to_have_value("写了一半")
    expect(page.locator("#draft-status")).to_contain_text("已恢复")


def test_staff_fix_a_wrong_id_number_and_save_a_new_card(
    page, live_server, world, login, screenshot
):
    login("staff")
    page.goto(f"{live_server.url}/households/new/")
    page.select_option("select[name=village]", str(world.villages.a1.pk))
    page.fill("input[name=year_identified]", "2016")
    page.select_option("select[name=main_cause]", "illness")
    page.get_by_role("button", name="添加成员").click()
    page.fill("input[name=members-0-name]", "张国强")
    page.fill("input[name=members-0-id_number]", "520399198001010012")
    page.select_option("select[name=members-0-sex]", "M")
    page.select_option("select[name=members-0-relation]", "head")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("身份证号校验码错误")).to_be_visible()
    screenshot("card-form-error")
    assert not Household.objects.filter(members__name="张国强").exists()
    page.fill("input[name=members-0-id_number]", "520399198001010013")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已建立建档立卡信息")).to_be_visible()
    assert Household.objects.filter(members__name="张国强").count() == 1


def test_the_household_list_filters_without_reloading(page, live_server, world, login, screenshot):
    for i in range(3):
        f.HeadFactory(household=f.HouseholdFactory(village=world.villages.a2), name=f"石门{i}")
    login("leader")
    page.goto(f"{live_server.url}/households/")
    screenshot("household-list")
    page.get_by_role("button", name="筛选和排序").click()
    page.select_option("select[name=village]", str(world.villages.a2.pk))
    expect(page.get_by_text("共 4 户")).to_be_visible()
    assert f"village={world.villages.a2.pk}" in page.url
    page.goto(f"{live_server.url}/households/{world.households.own.pk}/")
    screenshot("household-card")


def test_the_language_switch_turns_the_page_to_english_and_back(page, live_server, world, login):
    login("leader")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Open the household list")).to_be_visible()
    page.goto(f"{live_server.url}/households/")
    expect(page.get_by_role("heading", name="Households")).to_be_visible()
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="农户")).to_be_visible()
