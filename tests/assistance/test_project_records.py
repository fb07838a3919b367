"""A project's stages with their real dates, the documents of each stage (checked by their
content, served in scope), pre-evaluation and follow-up, beneficiaries after acceptance."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assistance.models import ProjectDocument, ProjectEvaluation, ProjectStageChange
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    return client


def _advance(staff, project, on):
    return staff.post(
        reverse("assistance:project_advance", args=[project.pk]), {"on": on}, follow=True
    )


def test_each_stage_carries_the_date_given_never_before_the_previous_one(staff, world):
    project = world.projects.a
    _advance(staff, project, "2025-03-02")
    refused = _advance(staff, project, "2025-02-01")
    future = _advance(staff, project, "2099-01-01")
    _advance(staff, project, "2025-04-15")
    assert list(
        ProjectStageChange.objects.filter(project=project)
        .order_by("pk")
        .values_list("stage", "changed_on")
    ) == [
        ("approved", datetime.date(2025, 3, 2)),
        ("in_progress", datetime.date(2025, 4, 15)),
    ]
    assert "阶段日期不能早于上一阶段（2025-03-02）" in refused.content.decode()
    assert "请填写阶段日期（今天或更早）" in future.content.decode()


def test_a_stage_document_is_checked_by_its_content_and_served_only_in_scope(staff, client, world):
    project = world.projects.a
    url = reverse("assistance:project_document_add", args=[project.pk])
    fake = SimpleUploadedFile("批复.pdf", b"not really a pdf", content_type="application/pdf")
    refused = staff.post(
        url, {"stage": "library", "kind": "approval", "title": "批复", "file": fake}
    )
    assert "不是照片（JPEG、PNG、WebP）或 PDF 文件" in refused.content.decode()
    photo = SimpleUploadedFile("works.jpg", f.png_bytes(), content_type="image/jpeg")
    staff.post(url, {"stage": "library", "kind": "photo", "title": "现场照片", "file": photo})
    pdf = SimpleUploadedFile("approval.bin", b"%PDF-1.4 approval", content_type="text/plain")
    staff.post(url, {"stage": "library", "kind": "approval", "title": "立项批复", "file": pdf})
    types = dict(ProjectDocument.objects.values_list("title", "content_type"))
    assert types == {"现场照片": "image/png", "立项批复": "application/pdf"}
    # A stage the project has not reached cannot carry a document.
    late = SimpleUploadedFile("a.png", f.png_bytes(), content_type="image/png")
    staff.post(url, {"stage": "accepted", "kind": "acceptance", "title": "验收", "file": late})
    assert ProjectDocument.objects.count() == 2

    document = ProjectDocument.objects.get(title="立项批复")
    served = staff.get(reverse("assistance:project_document", args=[document.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == b"%PDF-1.4 approval"
    client.force_login(world.profiles.other_leader.user)  # another township
    assert client.get(reverse("assistance:project_document", args=[document.pk])).status_code == 404


def test_a_follow_up_records_the_performance_targets_actual_value_once_works_began(staff, world):
    project = world.projects.a
    url = reverse("assistance:project_evaluation_add", args=[project.pk])
    base = {
        "evaluated_on": "2025-02-10",
        "evaluator": "县扶贫办",
        "indicator": "受益贫困户",
        "unit": "户",
        "target_value": "30",
        "findings": "带贫机制明确",
    }
    staff.post(url, {**base, "kind": "pre"})
    too_soon = staff.post(url, {**base, "kind": "follow_up", "actual_value": "28"})
    assert "项目实施后才能进行后跟踪" in too_soon.content.decode()
    _advance(staff, project, "2025-03-01")
    _advance(staff, project, "2025-04-01")
    no_value = staff.post(url, {**base, "kind": "follow_up", "evaluated_on": "2025-10-01"})
    assert no_value.context["form"].errors["actual_value"]
    staff.post(
        url, {**base, "kind": "follow_up", "evaluated_on": "2025-10-01", "actual_value": "28"}
    )
    follow_up = ProjectEvaluation.objects.get(kind="follow_up")
    assert (follow_up.actual_value, follow_up.reached) == (28, False)
    page = staff.get(reverse("assistance:project", args=[project.pk]))
    assert [e.kind for e in page.context["evaluations"]] == ["pre", "follow_up"]


def test_beneficiaries_added_after_acceptance_are_kept_and_marked(staff, world):
    project = world.projects.a
    for day in ("2025-03-01", "2025-04-01", "2025-06-01"):
        _advance(staff, project, day)
    staff.post(
        reverse("assistance:beneficiary_add", args=[project.pk]),
        {
            "card_number": world.households.own.card_number,
            "how": "道路通到家门口",
            "added_on": "2025-07-01",
        },
    )
    page = staff.get(reverse("assistance:project", args=[project.pk]))
    assert [b.added_on for b in page.context["beneficiaries"]] == [datetime.date(2025, 7, 1)]
    assert page.context["accepted_on"] == datetime.date(2025, 6, 1)
    assert "验收后补录" in page.content.decode()
