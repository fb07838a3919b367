"""A cadre on a weak signal, in Chromium on a phone: nothing typed or photographed is lost,
nothing is stored twice, and the pages a cadre needs open without a signal."""

import re
import time

import pytest
from playwright.sync_api import expect

from households.models import Visit, VisitPhoto
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(name: str, colour: tuple) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": f.png_bytes((40, 30), colour)}


class Network:
    """Decides the fate of every POST the pages send: "fail" (never reaches the server),
    "lose" (the server gets it and answers, the answer is lost on the way back) or "ok"."""

    def __init__(self, context, pattern: str):
        self.mode, self.posts = "ok", []
        context.route(pattern, self.handle)

    def handle(self, route):
        if route.request.method != "POST":
            route.fallback()
            return
        mode = self.mode
        if mode == "fail":
            route.abort("connectionreset")
        elif mode == "lose":
            try:
                route.fetch(timeout=60_000)  # the server answers...
            finally:
                route.abort("connectionreset")  # ...and the answer never arrives
        else:
            route.fallback()
        self.posts.append(mode)  # once the server has had it, for "lose"


def wait_until(page, condition, seconds: float = 30):
    """Wait for a condition on this side, letting Playwright run route handlers meanwhile."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(200)


def entry(page, state: str):
    return page.locator(f"#outbox .outbox-entry[data-state={state}]")


def waiting_with_a_photo(page, network, live_server, world, login, findings: str):
    """A cadre's visit with one photo, saved while nothing gets through: the outbox entry
    waiting on "my households"."""
    login("cadre")
    page.goto(f"{live_server.url}/households/{world.households.own.pk}/visits/new/")
    page.fill("textarea[name=findings]", findings)
    page.set_input_files("input[name=photos]", [photo("one.png", (10, 120, 10))])
    network.mode = "fail"
    page.get_by_role("button", name="保存走访").click()
    expect(page.locator("#draft-status")).to_contain_text("尚未发出")
    page.goto(f"{live_server.url}/households/mine/")
    # Opening a page tries everything waiting at once: that second try fails too, and the
    # entry is left waiting for its next try, seconds away, before the test goes on.
    wait_until(page, lambda: network.posts.count("fail") >= 2)
    waiting = entry(page, "waiting")
    expect(waiting).to_contain_text(re.compile("已尝试 [2-9] 次"))
    expect(waiting).to_contain_text("1 张照片")
    return waiting


def test_a_visit_with_two_photos_sent_through_failing_requests_is_saved_once_with_both(
    page, context, live_server, world, login, axe, layout_problems
):
    own = world.households.own
    network = Network(context, "**/visits/new/")
    login("cadre")
    page.goto(f"{live_server.url}/households/{own.pk}/visits/new/")
    page.fill("textarea[name=findings]", "信号时有时无，拍了两张照片")
    two = [photo("roof.png", (200, 30, 30)), photo("kitchen.png", (30, 90, 200))]
    page.set_input_files("input[name=photos]", two)
    expect(page.locator("#draft-photos li")).to_have_count(2)

    network.mode = "fail"  # the phone shows a signal, but nothing gets through
    page.get_by_role("button", name="保存走访").click()
    expect(page.locator("#draft-status")).to_contain_text("尚未发出")
    assert "fail" in network.posts and not Visit.objects.exists()

    # The page is closed; opened again later, it sends at once. This time the server saves
    # the visit but its answer is lost: the phone still holds the draft and will resend it.
    page.close()
    network.mode = "lose"
    page = context.new_page()
    page.goto(f"{live_server.url}/households/mine/")
    wait_until(page, lambda: "lose" in network.posts)
    assert Visit.objects.count() == 1
    waiting = entry(page, "waiting")
    expect(waiting).to_contain_text(re.compile(r"已尝试 [2-9] 次"))
    expect(waiting).to_contain_text("2 张照片")

    network.mode = "ok"  # the signal is back: the next retry (backoff) gets through
    expect(entry(page, "sent")).to_be_visible(timeout=45_000)
    assert network.posts[-1] == "ok" and network.posts.count("ok") == 1
    # What the phone kept is listed readably, within a phone's width.
    assert axe(page) == []
    page.set_viewport_size({"width": 360, "height": 800})
    assert layout_problems(page) == []
    visit = Visit.objects.get()
    assert visit.findings == "信号时有时无，拍了两张照片"
    assert visit.photos.count() == 2
    assert VisitPhoto.objects.count() == 2
    page.locator("#outbox .outbox-entry[data-state=sent] a").click()
    expect(page.locator(f"#visit-{visit.pk} img")).to_have_count(2)


def test_a_photo_attached_to_a_waiting_visit_is_sent_with_it(
    page, context, live_server, world, login
):
    network = Network(context, "**/visits/new/")
    waiting = waiting_with_a_photo(page, network, live_server, world, login, "先拍了一张")
    waiting.locator("input[type=file]").set_input_files([photo("two.png", (120, 10, 120))])
    expect(waiting).to_contain_text("2 张照片")

    network.mode = "ok"
    page.get_by_role("button", name="立即发送").click()
    expect(entry(page, "sent")).to_be_visible()
    assert Visit.objects.get().photos.count() == 2


def test_a_refused_visit_shows_what_to_correct_and_keeps_its_photo(page, live_server, world, login):
    login("cadre")
    page.goto(f"{live_server.url}/households/{world.households.own.pk}/visits/new/")
    page.fill("textarea[name=findings]", "户主确认")
    page.set_input_files("input[name=photos]", [photo("one.png", (10, 120, 10))])
    page.check("input[name=acknowledged]")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_text("请填写确认走访的家庭成员")).to_be_visible()
    expect(page.locator("#draft-photos li")).to_have_count(1)
    page.fill("input[name=acknowledged_by]", "户主本人")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_text("户主确认")).to_be_visible()
    assert Visit.objects.get().photos.count() == 1


def test_a_photo_is_added_to_a_saved_visit(page, live_server, world, login):
    visit = f.VisitFactory(
        household=world.households.own, visitor=world.profiles.cadre.user, findings="修好了屋顶"
    )
    login("cadre")
    page.goto(f"{live_server.url}/households/{world.households.own.pk}/")
    page.locator(f"#visit-{visit.pk}").get_by_role("link", name="添加照片").click()
    page.set_input_files("input[name=photos]", [photo("roof.png", (200, 30, 30))])
    expect(page.locator("#draft-photos li")).to_have_count(1)
    page.get_by_role("button", name="添加照片").click()
    expect(page.get_by_text("已为走访添加 1 张照片")).to_be_visible()
    expect(page.locator(f"#visit-{visit.pk} img")).to_have_count(1)
    assert visit.photos.get().uploaded_by == world.profiles.cadre.user


def test_my_households_and_their_visit_forms_open_without_a_signal_after_one_visit_online(
    page, context, live_server, world, login
):
    own = world.households.own
    login("cadre")
    page.goto(f"{live_server.url}/households/mine/")
    expect(page.locator("#offline-ready")).to_be_visible(timeout=15_000)

    context.set_offline(True)
    page.goto(f"{live_server.url}/households/mine/")
    expect(page.get_by_role("heading", name="我的帮扶户")).to_be_visible()
    page.get_by_role("link", name="走访", exact=True).click()
    expect(page.locator("textarea[name=findings]")).to_be_visible()
    assert page.url == f"{live_server.url}/households/{own.pk}/visits/new/"
    page.fill("textarea[name=findings]", "山里没有信号时记下的走访")
    page.set_input_files("input[name=photos]", [photo("field.png", (90, 90, 10))])
    page.get_by_role("button", name="保存走访").click()
    expect(page.locator("#draft-status")).to_contain_text("网络已断开")
    assert not Visit.objects.exists()

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("山里没有信号时记下的走访")).to_be_visible()
    assert Visit.objects.get().photos.count() == 1


def test_the_phone_is_told_when_its_storage_is_nearly_full(page, live_server, world, login):
    page.add_init_script(
        "navigator.storage.estimate = () => Promise.resolve({usage: 950e6, quota: 1000e6});"
    )
    login("cadre")
    page.goto(f"{live_server.url}/households/{world.households.own.pk}/visits/new/")
    expect(page.locator("#outbox")).to_contain_text("存储空间即将用完")


def test_a_photo_picked_while_the_visit_is_being_sent_is_kept_and_sent_after(
    page, context, live_server, world, login
):
    """The phone starts a retry while the cadre is still choosing a photo for the waiting
    visit: the photo is kept, not dropped, and goes with the next attempt."""
    held = []
    network = Network(context, "**/visits/new/")
    waiting = waiting_with_a_photo(page, network, live_server, world, login, "重试途中又拍了一张")
    entry_id = waiting.get_attribute("data-entry")

    # The next attempt leaves and hangs on the way; the photo is picked meanwhile.
    context.unroute("**/visits/new/")
    context.route("**/visits/new/", lambda route: held.append(route))
    page.get_by_role("button", name="立即发送").click()
    expect(entry(page, "sending")).to_be_visible()
    wait_until(page, lambda: held)
    picked = page.evaluate_handle(
        """async ([id, bytes]) => {
            const file = new File([new Uint8Array(bytes)], "two.png", {type: "image/png"});
            window.picked = window.BangfuOutbox.attach(id, [file]);
            return true;
        }""",
        [entry_id, list(f.png_bytes((40, 30), (120, 10, 120)))],
    )
    assert picked
    held.pop().abort("connectionreset")  # the hanging attempt fails after all
    page.evaluate("() => window.picked")
    expect(waiting).to_contain_text("2 张照片")

    context.unroute("**/visits/new/")
    page.get_by_role("button", name="立即发送").click()
    expect(entry(page, "sent")).to_be_visible()
    assert Visit.objects.get().photos.count() == 2
