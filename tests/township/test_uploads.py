"""Uploads judged by content: photos re-encoded and downscaled, names from what the file is,
delivery evidence checked and served in scope."""

import datetime
import functools
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from assistance.models import Delivery
from households.models import Visit, VisitPhoto

pytestmark = pytest.mark.django_db


def image_bytes(size, fmt="JPEG", mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 200 if mode == "1" else (30, 120, 60)).save(buffer, fmt)
    return buffer.getvalue()


@functools.cache
def pixel_bomb() -> bytes:
    """144 megapixels in a few kilobytes of PNG."""
    return image_bytes((12_000, 12_000), "PNG", mode="1")


def visit(client, household, *photos):
    return client.post(
        reverse("households:visit_create", args=[household.pk]),
        {
            "visited_on": datetime.date.today().isoformat(),
            "kind": "home",
            "findings": "屋顶已修好",
            "help_given": "",
            "follow_up": "",
            "photos": list(photos),
        },
    )


@pytest.fixture
def cadre(client, world):
    client.force_login(world.profiles.cadre.user)
    return client


def test_a_large_photo_is_downscaled_and_re_encoded(cadre, world):
    upload = SimpleUploadedFile("roof.webp", image_bytes((4000, 3000), "WEBP"))
    assert visit(cadre, world.households.own, upload).status_code == 302
    stored = VisitPhoto.objects.get()
    assert stored.image.name.endswith(".jpg") and stored.content_type == "image/jpeg"
    with Image.open(stored.image.path) as image:
        assert (image.format, image.size) == ("JPEG", (1600, 1200))
    served = cadre.get(reverse("households:photo", args=[stored.pk]))
    assert served["Content-Type"] == "image/jpeg"


def test_a_png_uploaded_as_html_is_stored_and_served_as_a_jpeg(cadre, world):
    upload = SimpleUploadedFile("x.html", image_bytes((40, 30), "PNG"), content_type="text/html")
    visit(cadre, world.households.own, upload)
    stored = VisitPhoto.objects.get()
    assert stored.image.name.endswith(".jpg") and ".html" not in stored.image.name
    assert cadre.get(reverse("households:photo", args=[stored.pk]))["Content-Type"] == (
        "image/jpeg"
    )


def test_a_pixel_bomb_is_refused_before_it_is_decoded(cadre, world):
    upload = SimpleUploadedFile("tiny.png", pixel_bomb(), content_type="image/png")
    assert upload.size < 100_000
    response = visit(cadre, world.households.own, upload)
    assert response.status_code == 200
    assert "tiny.png" in str(response.context["form"].errors["photos"])
    assert not Visit.objects.exists()


def deliver(client, item, evidence):
    return client.post(
        reverse("assistance:item_deliver", args=[item.pk]),
        {"delivered_on": "2025-03-01", "amount": "500", "quantity": "", "evidence": evidence},
    )


def test_evidence_is_checked_by_content_not_by_name(cadre, world):
    item = world.households.own.item
    page = SimpleUploadedFile("receipt.pdf", b"<html><script>alert(1)</script></html>")
    response = deliver(cadre, item, page)
    assert response.status_code == 200 and "evidence" in response.context["form"].errors
    assert not item.deliveries.exists()

    photo = SimpleUploadedFile("receipt.pdf", image_bytes((50, 50), "PNG"))
    assert deliver(cadre, item, photo).status_code == 302
    assert item.deliveries.get().evidence.name.endswith(".jpg")


def test_evidence_is_served_in_scope_a_pdf_as_a_download(client, world):
    item = world.households.own.item
    client.force_login(world.profiles.cadre.user)
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n% a receipt\n%%EOF\n")
    deliver(client, item, pdf)
    delivery = Delivery.objects.get()
    assert delivery.evidence.name.endswith(".pdf")
    url = reverse("assistance:evidence", args=[delivery.pk])
    plan_page = client.get(reverse("assistance:plan", args=[item.plan.pk])).content.decode()
    assert url in plan_page
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    client.force_login(world.profiles.cadre2.user)  # another cadre's household
    assert client.get(url).status_code == 404


def test_a_workflow_document_that_is_neither_pdf_nor_photo_is_refused(client, world):
    case = world.households.own.case
    client.force_login(world.profiles.cadre.user)
    client.post(
        reverse("households:workflow_advance", args=[case.pk]),
        {"document": SimpleUploadedFile("letter.jpg", b"MZ\x90\x00 not an image")},
        follow=True,
    )
    case.refresh_from_db()
    assert case.step == "assessment" and not case.steps.exists()
