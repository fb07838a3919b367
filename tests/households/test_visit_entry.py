"""A visit as the card and the visit lists show it: written in Python by ``visit_entry``,
the same markup, byte for byte, as the template it replaced (kept beside this test)."""

import datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils.translation import override

from households.models import Visit
from households.templatetags.bangfu import visit_entry
from tests import factories as f

pytestmark = pytest.mark.django_db

# What households/includes/_visit.html held before ``visit_entry`` replaced it.
REFERENCE = Template((Path(__file__).parent / "visit_entry_reference.html").read_text())


def visits(world) -> list[Visit]:
    household = world.households.own
    plain = f.VisitFactory(
        household=household,
        visitor=world.profiles.cadre.user,
        visited_on=datetime.date(2025, 3, 1),
        findings="屋顶漏雨",
    )
    full = f.VisitFactory(
        household=household,
        visitor=f.UserFactory(username="no-profile<&>"),  # an account without a profile
        visited_on=datetime.date(2025, 11, 30),
        kind=Visit.Kind.PHONE,
        findings='两行\n<b>"粗体"</b> & 其他',
        help_given="送去米面\n一袋",
        follow_up="下周再看 <script>",
        acknowledged=True,
        acknowledged_by='户主 <王> & "妻"',
    )
    closed = f.VisitFactory(
        household=household,
        visitor=world.profiles.staff.user,
        visited_on=datetime.date(2024, 12, 31),
        findings="",
        follow_up="已解决",
        follow_up_closed=True,
    )
    f.VisitPhotoFactory(visit=full, token="p1")
    f.VisitPhotoFactory(visit=full, token="p2")
    return list(
        Visit.objects.filter(pk__in=[plain.pk, full.pk, closed.pk])
        .select_related("visitor__profile")
        .prefetch_related("photos")
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_visit_is_written_as_the_template_wrote_it(world, language):
    with override(language):
        for visit in visits(world):
            for can_visit in (True, False, ""):
                expected = REFERENCE.render(Context({"visit": visit, "can_visit": can_visit}))
                assert visit_entry(visit, can_visit) == expected, (visit.pk, can_visit)


def test_a_visit_speaks_chinese(world):
    full = next(visit for visit in visits(world) if visit.help_given)
    with override("zh-hans"):
        written = visit_entry(full, True)
    for text in ("电话", "帮扶内容", "待跟进", "走访照片 1", "添加照片", "已确认"):
        assert text in written, text
