"""Writes to the archive card: each one atomic, validated by its form, recorded in history."""

import datetime
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households import policy
from households.models import (
    Household,
    HouseholdCause,
    HouseholdIncome,
    Member,
    Pairing,
    PovertyLine,
    Removal,
    StatusChange,
    Visit,
    VisitPhoto,
)
from township import figures_cache
from township.access import profile_for
from township.models import StaffProfile, Village
from township.scoping import unscoped

Status = Household.Status
Source = StatusChange.Source


class StaleEdit(Exception):
    """The card changed since the form was opened: the save is refused, nothing written."""

    message = _(
        "Someone else saved this card after you opened it. Your changes were not saved: "
        "reload the card, check their changes, and make yours again."
    )


def ensure_editable(household: Household) -> None:
    """A card removed from the register (销户) is read-only: its history stays as it was."""
    if household.status == Status.REMOVED:
        raise ValidationError(
            _("This household is removed from the register: its card is read-only.")
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
        .unscoped("card numbers are serial within the village, over cards not all may see")
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
    household_member_facts_refresh(household_ids=[household.pk])
    # The instance may be saved again by the caller: it must carry the facts just written.
    household.refresh_from_db(fields=MEMBER_FACTS)


# What a card keeps of its members (``household_member_facts_refresh``).
MEMBER_FACTS = ["head_name", "head_id_number", "members_count"]


def household_member_facts_refresh(*, household_ids=None) -> int:
    """Keep what each card keeps of its members equal to them, in one UPDATE: the active
    head's name and ID number (``Household.head_name``, ``head_id_number``) and how many
    members are active (``members_count``); every household when ``household_ids`` is None.
    Returns how many changed."""
    head = Member.objects.filter(
        household=OuterRef("pk"), relation=Member.Relation.HEAD, is_active=True
    )
    active = (
        Member.objects.filter(household=OuterRef("pk"), is_active=True)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    facts = {
        "head_name": Coalesce(Subquery(head.values("name")[:1]), Value("")),
        "head_id_number": Coalesce(Subquery(head.values("id_number")[:1]), Value("")),
        "members_count": Coalesce(Subquery(active, output_field=IntegerField()), 0),
    }
    with unscoped("the member facts of cards the caller just saved (or all, off requests)"):
        households = Household.objects.all()
        if household_ids is not None:
            households = households.filter(pk__in=household_ids)
        stale = households.annotate(**{f"now_{k}": v for k, v in facts.items()}).exclude(
            **{k: F(f"now_{k}") for k in facts}
        )
        return Household.objects.filter(pk__in=stale.values("pk")).update(**facts)


def household_cadres_refresh(*, household_ids=None) -> int:
    """Keep each card's current cadre (``Household.current_cadre``) equal to the cadre of its
    current pairing, in one UPDATE; every household when ``household_ids`` is None. Returns
    how many changed."""
    cadre = Subquery(Pairing.objects.current().filter(household=OuterRef("pk")).values("cadre")[:1])
    with unscoped("the cadres of cards the caller just paired (or all, off requests)"):
        households = Household.objects.all()
        if household_ids is not None:
            households = households.filter(pk__in=household_ids)
        stale = households.annotate(
            kept=Coalesce("current_cadre", 0), now=Coalesce(cadre, 0)
        ).exclude(kept=F("now"))
        return Household.objects.filter(pk__in=stale.values("pk")).update(current_cadre=cadre)


def visit_villages_refresh(*, household_ids=None) -> int:
    """Give each visit its household's village again (``Visit.village``, what the visit
    lists filter by), in one UPDATE; every visit when ``household_ids`` is None. Returns
    how many moved."""
    village = Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("village_id"))
    with unscoped("the visits of cards the caller just saved (or all, off requests)"):
        visits = Visit.objects.all()
        if household_ids is not None:
            visits = visits.filter(household_id__in=household_ids)
        return visits.exclude(village_id=village).update(village_id=village)


@transaction.atomic
def household_create(
    *,
    user,
    fields: dict,
    main_cause: str,
    other_causes: list[str],
    members: list[MemberRow],
    status: str = Status.POOR,
    exited_on: datetime.date | None = None,
    exit_note: str = "",
) -> Household:
    """A new card: an applicant to walk through identification, a registered household, or
    one that left poverty before the system (``exited_on``, with the evidence of the time)."""
    household = Household(**fields)
    household.card_number = _next_card_number(household.village)
    household.status = status
    household._history_user = user
    household.save()
    _sync_causes(household, main_cause=main_cause, other_causes=other_causes, user=user)
    _save_members(household, members, user)
    facts = initial_status_facts(
        household, status=status, exited_on=exited_on, source=Source.CARD, user=user
    )
    for fact in facts:
        if fact.status == Status.EXITED:
            fact.evidence, fact.people = exit_evidence(household, day=fact.effective_on)
            fact.note = exit_note
        fact.save()
    return household


def initial_status_facts(
    household: Household,
    *,
    status: str,
    exited_on: datetime.date | None,
    source: str,
    user,
    today: datetime.date | None = None,
) -> list[StatusChange]:
    """The dated facts of a card entered with ``status`` (unsaved), as
    ``initial_status_chain`` dates them."""
    return [
        StatusChange(
            household=household, status=fact, effective_on=day, source=source, recorded_by=user
        )
        for fact, day in initial_status_chain(
            year_identified=household.year_identified,
            status=status,
            exited_on=exited_on,
            today=today,
        )
    ]


def initial_status_chain(
    *,
    year_identified: int,
    status: str,
    exited_on: datetime.date | None,
    today: datetime.date | None = None,
) -> list[tuple[str, datetime.date]]:
    """The (status, day) facts of a card entered with ``status``: registration on 1 January
    of the year identified, and for a household entered as out of poverty its exit on
    ``exited_on``. An applicant is applying from today."""
    today = today or timezone.localdate()
    registered = datetime.date(year_identified, 1, 1)
    if status == Status.APPLICANT:
        return [(Status.APPLICANT, today)]
    if status == Status.POOR:
        return [(Status.POOR, registered)]
    if status == Status.EXITED:
        if exited_on is None:
            raise ValidationError(_("Give the year (or date) the household left poverty."))
        if exited_on < registered or exited_on > today:
            raise ValidationError(_("The exit must fall between the year identified and today."))
        return [(Status.POOR, registered), (Status.EXITED, exited_on)]
    raise ValidationError(_("A new card is an applicant, registered, or already out of poverty."))


def historical_exit_date(year: int, *, today: datetime.date | None = None) -> datetime.date:
    """The day an exit known only by its year took effect: 31 December, or today for an exit
    of the current year (which is recorded through the exit case instead, when it can be)."""
    today = today or timezone.localdate()
    return min(datetime.date(year, 12, 31), today)


def exit_evidence(household: Household, *, day: datetime.date) -> tuple[list[dict], int]:
    """The exit criteria on ``day`` from the card's data, as stored with an exit, and the
    number of people in the household that day."""
    members = list(household.members.all())
    incomes = list(household.incomes.all())
    lines = dict(PovertyLine.objects.values_list("year", "amount"))
    criteria = policy.exit_criteria(
        household=household,
        members=members,
        incomes=incomes,
        lines=lines,
        day=day,
        stable_years=dict(PovertyLine.objects.values_list("year", "stable_years")),
    )
    people = sum(1 for m in members if policy.member_present(m, day))
    return [c.as_evidence() for c in criteria], people


@transaction.atomic
def status_change_record(
    *,
    household: Household,
    status: str,
    effective_on: datetime.date,
    source: str,
    user,
    case=None,
    evidence: list[dict] | None = None,
    people: int | None = None,
    override_reason: str = "",
    override_by=None,
    note: str = "",
) -> StatusChange:
    """Record that ``household`` has ``status`` from ``effective_on``, and show it on the card.

    Facts follow one another in time and in the order of a household's life in the register
    (``policy.statuses.TRANSITIONS``); the card's status is the latest fact's.
    """
    # Race: two cases completing for one household at once; the row lock orders them.
    household = Household.objects.locked(household)
    last = household.status_changes.order_by("-effective_on", "-pk").first()
    if last is not None and effective_on < last.effective_on:
        raise ValidationError(
            _("A status change cannot be dated before the previous one (%(date)s).")
            % {"date": last.effective_on}
        )
    if effective_on > timezone.localdate():
        raise ValidationError(_("A status change cannot be dated in the future."))
    if not policy.may_follow(last.status if last else None, status):
        raise ValidationError(
            _("“%(new)s” cannot follow “%(old)s”.")
            % {
                "new": Status(status).label,
                "old": Status(last.status).label if last else "—",
            }
        )
    fact = StatusChange.objects.create(
        household=household,
        status=status,
        effective_on=effective_on,
        source=source,
        case=case,
        evidence=evidence or [],
        people=people,
        override_reason=override_reason,
        override_by=override_by,
        note=note,
        recorded_by=user,
    )
    household.status = status
    household.version += 1
    household._history_user = user
    household._change_reason = note or fact.get_source_display()
    household.save()
    return fact


@transaction.atomic
def historical_exit_correct(
    *, household: Household, exited_on: datetime.date, user, reason: str
) -> StatusChange:
    """Correct the date of an exit entered from earlier records (not one of an exit case),
    keeping it between the facts before and after it; the correction stays in history."""
    ensure_editable(Household.objects.locked(household))
    facts = list(household.status_changes.order_by("effective_on", "pk"))
    exits = [
        f for f in facts if f.status == Status.EXITED and f.source != StatusChange.Source.WORKFLOW
    ]
    if not exits:
        raise ValidationError(_("This household has no exit entered from earlier records."))
    fact = exits[-1]
    if not reason.strip():
        raise ValidationError(_("Say why the date is corrected."))
    index = facts.index(fact)
    before = facts[index - 1].effective_on if index > 0 else None
    after = facts[index + 1].effective_on if index + 1 < len(facts) else None
    if (before and exited_on < before) or (after and exited_on > after):
        raise ValidationError(
            _("The exit must fall between the facts before and after it (%(a)s – %(b)s).")
            % {"a": before or "—", "b": after or "—"}
        )
    if exited_on > timezone.localdate():
        raise ValidationError(_("A status change cannot be dated in the future."))
    fact.effective_on = exited_on
    fact.evidence, fact.people = exit_evidence(household, day=exited_on)
    fact._history_user = user
    fact._change_reason = reason.strip()[:100]
    fact.save()
    return fact


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
    locked = Household.objects.locked(household)
    ensure_editable(locked)
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
    ensure_editable(household)
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
    ensure_editable(household)
    if client_token is not None:
        existing = (
            Visit.objects.inside(household=household).filter(client_token=client_token).first()
        )
        if existing is not None:
            return _resubmitted(existing, user=user, household=household, photos=photos), False
    try:
        with transaction.atomic():
            visit = Visit(household=household, visitor=user, client_token=client_token, **fields)
            visit._history_user = user
            visit.save()
            # The card's last visit moves forward only (a late entry of an older visit
            # leaves it): one conditional update, safe against two visits saved at once.
            Household.objects.inside(pk=household).filter(
                Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=visit.visited_on)
            ).update(last_visit_on=visit.visited_on)
            _store_photos(visit, photos, user=user, have=set())
    except IntegrityError:
        if client_token is None:
            raise
        # Race: the same submission arrived twice at once; the other request saved it.
        existing = (
            Visit.objects.inside(household=household).filter(client_token=client_token).first()
        )
        if existing is None:
            # The token is taken by a visit to another household: this is no resend of it
            # (and the other visit is not for this user to hear of). Keep this one, untokened.
            return visit_log(
                user=user, household=household, fields=fields, photos=photos, client_token=None
            )
        return _resubmitted(existing, user=user, household=household, photos=photos), False
    return visit, True


def household_facts_rebuild() -> int:
    """Recompute the facts kept on the card from the events they summarise (the last visit
    from the visits, the status from the latest status change, the head's name) and each
    visit's village from its card; return how many cards and visits changed."""
    last_visit = Subquery(
        Visit.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(day=Max("visited_on"))
        .values("day")
    )
    latest_status = Subquery(
        StatusChange.objects.filter(household=OuterRef("pk"))
        .order_by("-effective_on", "-pk")
        .values("status")[:1]
    )
    changed = 0
    rows = Household.objects.annotate(day=last_visit, fact=latest_status).values_list(
        "pk", "last_visit_on", "day", "status", "fact"
    )
    for pk, kept, day, status, fact in rows.iterator(chunk_size=5000):
        fields = {}
        if kept != day:
            fields["last_visit_on"] = day
        if fact is not None and status != fact:
            fields["status"] = fact
        if fields:
            Household.objects.filter(pk=pk).update(**fields)
            changed += 1
    changed += household_member_facts_refresh()
    changed += household_cadres_refresh()
    changed += visit_villages_refresh()
    if changed:
        figures_cache.changed()
    return changed


REMOVAL_PROPOSERS = {StaffProfile.Role.TOWNSHIP_STAFF, StaffProfile.Role.VILLAGE_TEAM}
REMOVAL_DECIDERS = {StaffProfile.Role.COUNTY_ADMIN}


def role_in(user, roles) -> bool:
    if user.is_superuser:
        return True
    profile = profile_for(user)
    return profile is not None and profile.role in roles


def can_propose_removal(user, household: Household) -> bool:
    return policy.may_follow(household.status, Status.REMOVED) and role_in(user, REMOVAL_PROPOSERS)


def can_decide_removal(user) -> bool:
    return role_in(user, REMOVAL_DECIDERS)


@transaction.atomic
def removal_propose(*, household: Household, reason: str, explanation: str, user) -> Removal:
    """Propose to remove a household from the register (销户), with the reason and evidence."""
    household = Household.objects.locked(household)
    if not role_in(user, REMOVAL_PROPOSERS):
        raise PermissionDenied
    ensure_editable(household)
    if reason not in Removal.Reason.values or not explanation.strip():
        raise ValidationError(_("Choose the reason and explain it."))
    if not policy.may_follow(household.status, Status.REMOVED):
        raise ValidationError(_("This household cannot be removed from the register."))
    if household.removals.filter(status=Removal.Status.PROPOSED).exists():
        raise ValidationError(_("A removal of this household is already waiting for approval."))
    removal = Removal(
        household=household,
        reason=reason,
        explanation=explanation.strip(),
        proposed_by=user,
        proposed_on=timezone.localdate(),
    )
    removal._history_user = user
    removal.save()
    return removal


@transaction.atomic
def removal_decide(*, removal: Removal, approve: bool, note: str = "", user) -> Removal:
    """The county approves a removal (the household is removed today; its card becomes
    read-only) or refuses it with a reason."""
    removal = Removal.objects.select_for_update().select_related("household").get(pk=removal.pk)
    if not can_decide_removal(user):
        raise PermissionDenied
    if removal.status != Removal.Status.PROPOSED:
        raise ValidationError(_("This removal is already decided."))
    if not approve and not note.strip():
        raise ValidationError(_("Say why the removal is not approved."))
    today = timezone.localdate()
    if approve:
        status_change_record(
            household=removal.household,
            status=Status.REMOVED,
            effective_on=today,
            source=Source.REMOVAL,
            user=user,
            note=f"{removal.get_reason_display()}：{removal.explanation}"[:200],
        )
    removal.status = Removal.Status.APPROVED if approve else Removal.Status.REFUSED
    removal.decided_by, removal.decided_on = user, today
    removal.decision_note = note.strip()
    removal._history_user = user
    removal.save()
    return removal


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
        Visit.objects.locked(visit)
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


@transaction.atomic
def housing_record(*, household: Household, housing: str, user, reason: str) -> Household:
    """Record the card's housing condition after an event (a renovation accepted), in its
    history with the reason; the card's version moves on like any other save."""
    locked = Household.objects.locked(household)
    if locked.housing == housing:
        return locked
    locked.housing = housing
    locked.version += 1
    locked._history_user = user
    locked._change_reason = reason
    locked.save()
    return locked


@transaction.atomic
def income_dividends_set(*, household: Household, year: int, amount, user) -> HouseholdIncome:
    """Make the year's contract dividends ``amount``: the part of property income the
    dividend payments account for (the rest of property income is kept as it was). A year
    without income yet gets one with the household's present size."""
    # Race: two payments to one household recorded at once would both read the old part;
    # the row lock makes the second see the first's result.
    income = HouseholdIncome.objects.select_for_update().filter(household=household, year=year)
    income = income.first()
    if income is None:
        size = household.members.filter(is_active=True).count() or 1
        income = HouseholdIncome(household=household, year=year, members_count=size)
    other = income.property_income - income.property_dividends
    income.property_dividends = amount
    income.property_income = other + amount
    income._history_user = user
    income.save()
    return income
