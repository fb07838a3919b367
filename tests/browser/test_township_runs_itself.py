"""The township runs itself without the admin: accounts, and identification with its notice."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from assistance.services import pairing_assign
from households.models import Household, WorkflowCase
from reporting.models import ReportRun
from tests.browser.conftest import ARTIFACTS
from tests.reporting_helpers import pdf_text
from township.models import StaffProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 780}


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(browser, browser_context_args, live_server, username, password="pw-for-tests"):
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return context, page


def test_staff_create_a_cadre_who_changes_the_forced_password_and_sees_their_households(
    browser, browser_context_args, live_server, world
):
    context, page = log_in(browser, browser_context_args, live_server, "staff")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/people/new/")
    page.fill("input[name=username]", "zhaogb")
    page.fill("input[name=name]", "赵国宝")
    page.select_option("select[name=role]", StaffProfile.Role.CADRE)
    page.select_option("select[name=township]", str(world.township.pk))
    assert no_sideways_scroll(page)
    page.get_by_role("button", name="保存").click()
    notice = page.locator(".alert-warning").first
    expect(notice).to_contain_text("临时密码")
    password = re.search(r"临时密码：(\w+)", notice.inner_text()).group(1)
    shot(page, "account-created")
    context.close()

    cadre = StaffProfile.objects.get(user__username="zhaogb")
    pairing_assign(
        household=world.households.own,
        cadre=cadre,
        start_date=datetime.date.today(),
        reason="调整结对",
        user=world.profiles.staff.user,
    )

    context, page = log_in(browser, browser_context_args, live_server, "zhaogb", password)
    page.wait_for_url(f"{live_server.url}/accounts/password/")
    expect(page.locator("#must-change")).to_be_visible()
    page.goto(f"{live_server.url}/households/mine/")  # nothing else opens before the change
    page.wait_for_url(f"{live_server.url}/accounts/password/")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password1]", "zhao-new-secret-88")
    page.fill("input[name=new_password2]", "zhao-new-secret-88")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_url(f"{live_server.url}/accounts/password/done/")
    page.goto(f"{live_server.url}/households/mine/")
    head = world.households.own.members.get(relation="head").name
    expect(page.get_by_role("heading", name="我的帮扶户")).to_be_visible()
    expect(page.get_by_text(head)).to_be_visible()
    assert no_sideways_scroll(page)
    shot(page, "new-cadre-households")
    context.close()
    cadre.refresh_from_db()
    assert cadre.must_change_password is False


def test_a_new_applicant_is_walked_through_identification_with_its_notice(
    browser, browser_context_args, live_server, world
):
    village = world.villages.a1

    def record(page, label):
        page.get_by_role("button", name=f"办理：{label}").click()
        expect(page.get_by_text("已办理。")).to_be_visible()

    context, page = log_in(browser, browser_context_args, live_server, "staff")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/households/new/")
    page.select_option("select[name=village]", str(village.pk))
    page.fill("input[name=year_identified]", str(datetime.date.today().year))
    page.select_option("select[name=initial_status]", Household.Status.APPLICANT)
    page.select_option("select[name=main_cause]", "illness")
    page.get_by_role("button", name="添加成员").click()
    page.fill("input[name=members-0-name]", "孙申请")
    page.fill("input[name=members-0-id_number]", "520399199001010026")
    page.select_option("select[name=members-0-sex]", "F")
    page.select_option("select[name=members-0-relation]", "head")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已建立建档立卡信息")).to_be_visible()
    household = Household.objects.get(members__name="孙申请")
    assert household.status == Household.Status.APPLICANT
    card = f"{live_server.url}/households/{household.pk}/#workflow"
    context.close()

    context, page = log_in(browser, browser_context_args, live_server, "team")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(card)
    page.get_by_role("button", name="启动识别").click()
    record(page, "农户申请")
    page.fill("#workflow input[name=attendance]", "31")
    record(page, "村民主评议")
    record(page, "第一次公示（村内）")
    assert no_sideways_scroll(page)
    shot(page, "identification-notice-posted")
    # The notice for the village board, built as a PDF.
    page.goto(f"{live_server.url}/reports/")
    page.select_option("select[name=kind]", ReportRun.Kind.IDENT_NOTICE)
    page.fill("input[name=contact]", "王书记 13800000000")
    page.locator("main form button.btn-primary").click()
    expect(page.locator("#download")).to_be_visible()
    run = ReportRun.objects.get(kind=ReportRun.Kind.IDENT_NOTICE)
    text = pdf_text(run.file.path)
    assert "孙申请" in text and "5203**********0026" in text and "王书记 13800000000" in text
    context.close()

    # The township's review waits for the notice period, by the server's clock.
    context, page = log_in(browser, browser_context_args, live_server, "staff")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(card)
    page.get_by_role("button", name="办理：乡镇审核").click()
    expect(page.locator(".alert-danger")).to_contain_text("公示")
    case = WorkflowCase.objects.get(household=household)
    assert case.step == "township_review"
    context.close()

    days = settings.BANGFU_NOTICE_DAYS + 1
    later = datetime.datetime.now().astimezone() + datetime.timedelta(days=days)
    with time_machine.travel(later, tick=True) as clock:
        context, page = log_in(browser, browser_context_args, live_server, "staff")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(card)
        record(page, "乡镇审核")
        record(page, "第二次公示（乡镇）")
        context.close()
        clock.shift(datetime.timedelta(days=days))
        context, page = log_in(browser, browser_context_args, live_server, "county")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(card)
        record(page, "县级审定")
        context.close()
        context, page = log_in(browser, browser_context_args, live_server, "staff")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(card)
        record(page, "公告")
        expect(page.locator("h1 .badge")).to_have_text("未脱贫")
        shot(page, "identification-announced")
        context.close()
    household.refresh_from_db()
    assert household.status == Household.Status.POOR
