"""One household walked from assessment to exit across the roles, in Chromium."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from households.models import Household
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_household_goes_from_assessment_to_exit(
    browser, browser_context_args, live_server, world, screenshot
):
    hh = world.households.own
    Household.objects.filter(pk=hh.pk).update(
        no_worry_food=True, no_worry_clothing=True, water_safe=True
    )
    hh.members.update(medical_insurance=True)
    hh.incomes.update(wage_income=Decimal("30000"), members_count=1)
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    card = f"{live_server.url}/households/{hh.pk}/"
    today = datetime.date.today()

    def as_user(username):
        context = browser.new_context(**browser_context_args)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "pw-for-tests")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(card + "#workflow")
        return context, page

    def record(page, label):
        page.get_by_role("button", name=f"办理：{label}").click()
        expect(page.get_by_text("已办理。")).to_be_visible()

    context, page = as_user("cadre")
    page.fill("#workflow input[name=comment]", "收入稳定，两不愁三保障已落实")
    record(page, "村两委和驻村工作队评估")
    context.close()

    context, page = as_user("team")
    page.fill("#workflow input[name=attendance]", "36")
    record(page, "村民主评议")
    record(page, "村内公示")
    context.close()

    # The notice stays up for its period by the server's clock: move the clock past it.
    clock = time_machine.travel(
        datetime.datetime.combine(
            today + datetime.timedelta(days=settings.BANGFU_NOTICE_DAYS + 1), datetime.time(10)
        ).astimezone(),
        tick=True,
    )
    clock.start()
    context, page = as_user("cadre")
    page.set_input_files(
        "#workflow input[name=document]",
        files=[{"name": "letter.png", "mimeType": "image/png", "buffer": f.png_bytes()}],
    )
    record(page, "贫困户签字的退出确认书")
    context.close()

    context, page = as_user("staff")
    record(page, "乡镇审核")
    context.close()
    context, page = as_user("county")
    record(page, "县级审定")
    context.close()
    context, page = as_user("staff")
    record(page, "公告并销号")
    context.close()

    context, page = as_user("leader")
    expect(page.locator("h1 .badge")).to_have_text("已脱贫")
    expect(page.locator("#workflow")).to_contain_text("已完成")
    screenshot("card-after-exit")
    context.close()
    clock.stop()
    hh.refresh_from_db()
    assert hh.status == "exited"
