"""Writes to the archive card: each one atomic, validated by its form, recorded in history."""

import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from households.models import Household, HouseholdCause, HouseholdIncome, Member, Visit, VisitPhoto
from township.models import Village


class StaleEdit(Exception):
    """The card changed since the form was opened: the save is refused, nothing written."""

    message = _(
        "Someone else saved this card after you opened it. Your changes were not saved: "
        "reload the card, check their changes, and make yours again."
    )


@dataclass
class MemberRow:
    """One row of the members form: an existing member (``instance``) or a new one."""

    instance: Member | None
    data: dict


def _next_card_number(village: Village) -> str:
    # Race: two staff creating households in one village at once would compute the same
    # serial. Locking the village row makes the second wait for the first to commit.
    Village.objects.select_for_update().get(pk=village.pk)
    last = (
        Household.objects.filter(village=village)
        .order_by("-card_number")
        .values_list("card_number", flat=True)
        .first()
    )
    serial = int(last[-4:]) + 1 if last else 1
    return f"{village.code}{serial:04d}"


def _sync_causes(household: Household, *, main_cause: str, other_causes: list[str], user) -> None:
    wanted = {main_cause: True, **{c: False for c in other_causes if c != main_cause}}
    existing = {c.cause: c for c in household.causes.all()}
    for cause, row in existing.items():
        if cause not in wanted:
            row._history_user = user
            row.delete()
    # Clear the old main cause first: one main cause a household, enforced by the database.
    for cause, row in existing.items():
        if cause in wanted and row.is_main and not wanted[cause]:
            row.is_main = False
            row._history_user = user
            row.save()
    for cause, is_main in wanted.items():
        row = existing.get(cause)
        if row is None:
            row = HouseholdCause(household=household, cause=cause, is_main=is_main)
        elif row.is_main == is_main:
            continue
        row.is_main = is_main
        row._history_user = user
        row.save()


def _save_members(household: Household, rows: list[MemberRow], user) -> None:
    # Members leaving first, then the rest: a person moving between rows (or a new head
    # replacing the old) never meets the one-head and one-household constraints half-way.
    ordered = sorted(rows, key=lambda r: r.data.get("is_active", True))
    for row in ordered:
        member = row.instance or Member(household=household)
        for field, value in row.data.items():
            setattr(member, field, value)
        member._history_user = user
        member.save()


@transaction.atomic
def household_create(
    *, user, fields: dict, main_cause: str, other_causes: list[str], members: list[MemberRow]
) -> Household:
    household = Household(**fields)
    household.card_number = _next_card_number(household.village)
    household._history_user = user
    household.save()
    _sync_causes(household, main_cause=main_cause, other_causes=other_causes, user=user)
    _save_members(household, members, user)
    return household


@transaction.atomic
def household_update(
    *,
    user,
    household: Household,
    expected_version: int,
    fields: dict,
    main_cause: str,
    other_causes: list[str],
    members: list[MemberRow],
) -> Household:
    # Race: two people editing one card. The row lock makes the second save wait, then
    # see the version the first one wrote, and be refused instead of overwriting it.
    locked = Household.objects.select_for_update().get(pk=household.pk)
    if locked.version != expected_version:
        raise StaleEdit
    for field, value in fields.items():
        setattr(locked, field, value)
    locked.version = expected_version + 1
    locked._history_user = user
    locked.save()
    _sync_causes(locked, main_cause=main_cause, other_causes=other_causes, user=user)
    _save_members(locked, members, user)
    return locked


@transaction.atomic
def income_save(
    *, user, household: Household, income: HouseholdIncome | None, fields: dict
) -> HouseholdIncome:
    income = income or HouseholdIncome(household=household)
    for field, value in fields.items():
        setattr(income, field, value)
    income._history_user = user
    income.save()
    return income


@dataclass(frozen=True)
class PhotoUpload:
    """A photo sent with a visit: its file, and the token the phone gave it (or None)."""

    file: UploadedFile
    token: str | None = None


class TooManyPhotos(Exception):
    """The visit would hold more photos than ``BANGFU_VISIT_PHOTOS_MAX``: nothing is stored."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(limit)


def visit_log(
    *,
    user,
    household: Household,
    fields: dict,
    photos: list[PhotoUpload],
    client_token: uuid.UUID | None,
) -> tuple[Visit, bool]:
    """Record a visit; a resubmission with the same token returns the first one.

    A resubmission is what a phone sends again when it never got the first answer, perhaps
    with photos attached meanwhile: the photos the visit lacks are added, the others (same
    token) are not stored twice. The fields are never changed by a resubmission.
    """
    if client_token is not None:
        existing = Visit.objects.filter(client_token=client_token).first()
        if existing is not None:
            return _resubmitted(existing, user=user, household=household, photos=photos), False
    try:
        with transaction.atomic():
            visit = Visit(household=household, visitor=user, client_token=client_token, **fields)
            visit._history_user = user
            visit.save()
            _store_photos(visit, photos, user=user, have=set())
    except IntegrityError:
        # Race: the same submission arrived twice at once; the other request saved it.
        if client_token is None:
            raise
        existing = Visit.objects.get(client_token=client_token)
        return _resubmitted(existing, user=user, household=household, photos=photos), False
    return visit, True


def _resubmitted(visit: Visit, *, user, household: Household, photos: list[PhotoUpload]) -> Visit:
    # Only the phone that made the visit can hold its token; anything else is not a resend
    # of this visit, and adds nothing to it.
    if visit.visitor_id == user.pk and visit.household_id == household.pk and photos:
        visit_photos_add(user=user, visit=visit, photos=photos)
    return visit


def visit_photos_add(*, user, visit: Visit, photos: list[PhotoUpload]) -> int:
    """Attach photos to a saved visit; returns how many were new (a resend adds none)."""
    with transaction.atomic():
        # Race: two resends of the same photos at once. Locking the visit makes the second
        # wait, then see the tokens the first one stored.
        Visit.objects.select_for_update().get(pk=visit.pk)
        have = set(VisitPhoto.objects.filter(visit=visit).values_list("token", flat=True))
        return _store_photos(visit, photos, user=user, have=have)


def _store_photos(visit: Visit, photos: list[PhotoUpload], *, user, have: set[str]) -> int:
    new = []
    for photo in photos:
        token = photo.token or secrets.token_hex(16)
        if token not in have:
            have.add(token)
            new.append((token, photo.file))
    limit = settings.BANGFU_VISIT_PHOTOS_MAX
    if new and len(have) > limit:
        raise TooManyPhotos(limit)
    for token, upload in new:
        photo = VisitPhoto(
            visit=visit,
            token=token,
            content_type=upload.content_type or "",
            uploaded_by=user,
        )
        photo.image.save(upload.name, upload, save=True)
    return len(new)
