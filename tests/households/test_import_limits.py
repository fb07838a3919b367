"""Workbooks that would unpack into far more than they weigh are refused before parsing."""

import io
import os
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from households.models import ImportJob
from tests.households.test_import import person, roster, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    return client


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if anything opens the workbook with openpyxl."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr("openpyxl.load_workbook", refuse)


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the workbook ``data`` with one more part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


SHARED_STRINGS = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def bomb(world, megabytes=300) -> bytes:
    """A real roster whose shared strings unpack to ``megabytes`` MB of tiny strings, which
    a reader loads whole (one Python string each: gigabytes of memory)."""

    def blanks(part):
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        chunk = b"<si><t>x</t></si>" * (1024 * 1024 // 16)
        for _ in range(megabytes):
            part.write(chunk)
        part.write(b"</sst>")

    out = io.BytesIO()
    workbook = io.BytesIO(roster([person(1, world.villages.a1)]))
    with (
        zipfile.ZipFile(workbook) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":  # declare the shared strings
                content = content.replace(b"</Types>", SHARED_STRINGS + b"</Types>")
            target.writestr(item.filename, content)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            blanks(part)
    return out.getvalue()


def test_a_zip_bomb_is_refused_on_upload_before_it_is_parsed(staff, world, no_parsing):
    data = bomb(world)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
    assert len(data) < 1024 * 1024 and unpacked > 300 * 1024 * 1024  # < 1 MB, > 300 MB

    job, response = upload(staff, data)

    assert job is None  # nothing kept, nothing sent to a worker
    page = response.content.decode()
    assert f"解压后为 {unpacked // (1024 * 1024)} MB" in page and "出于安全考虑已拒绝" in page


def test_a_bomb_that_reaches_the_check_another_way_is_refused_before_parsing(
    world, tmp_path, no_parsing
):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(bomb(world, megabytes=30))  # under the total, but 1,000 to 1

    with pytest.raises(CommandError, match="比 1"):
        call_command("import_households", str(path), "--user", "staff")

    assert ImportJob.objects.get().status == "refused"


def test_too_many_parts_are_refused(staff, world, settings, no_parsing):
    settings.BANGFU_IMPORT_MAX_PARTS = 50
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(60):
            archive.writestr(f"xl/media/image{n}.png", b"x")

    _, response = upload(staff, out.getvalue())

    assert "包含 60 个部件" in response.content.decode()


def test_the_total_unpacked_size_is_a_setting(staff, world, settings, no_parsing):
    settings.BANGFU_IMPORT_MAX_UNPACKED_MB = 1
    random = os.urandom(2 * 1024 * 1024)  # does not compress: only the total can catch it
    data = with_part(roster([person(1, world.villages.a1)]), "xl/media/photo.bin", random)

    _, response = upload(staff, data)

    assert "解压后为 2 MB" in response.content.decode()


def test_a_real_roster_is_opened_once(staff, world, monkeypatch):
    from openpyxl import load_workbook

    opened = []

    def counting(*args, **kwargs):
        opened.append(args[0])
        return load_workbook(*args, **kwargs)

    monkeypatch.setattr("openpyxl.load_workbook", counting)
    monkeypatch.setattr("django.db.transaction.on_commit", lambda callback, *a, **k: callback())

    job, _ = upload(staff, roster([person(n, world.villages.a1) for n in range(1, 4)]))

    assert job.status == "checked" and job.progress == 100
    assert len(opened) == 1
    staff.post(reverse("households:import_apply", args=[job.pk]))
    assert len(opened) == 2  # the write checks the file again, inside its transaction
