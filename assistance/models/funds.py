"""Earmarked funds (扶贫资金) and their ledger.

Why a small ledger of our own rather than a double-entry library (django-hordak, the
best-known one, last released in 2024 and pulling django-mptt, django-money and
django-extensions): our rules are not "every account balances" but the earmarking chain
fund → allocation (to a project, a household's plan item, or a microfinance loan's interest
subsidy or risk compensation) → disbursement against that allocation, with voucher numbers
unique per fund and corrections as linked reversals. A
single append-only table states exactly that, its balances are sums a report can recompute,
and the rules are enforced in one locked write path (``assistance.ledger``) plus database
constraints. A general chart of accounts would add accounts and legs we would still have to
map back to these rules.

Balances are never stored. For a fund: received − allocated ≥ 0 (unallocated money) and
received − disbursed ≥ 0 (money in hand); for an allocation: allocated − disbursed ≥ 0; for a
project: allocated to it ≤ its budget. A reversal cancels one earlier entry in full; an
entry is reversed at most once, and a reversal is never reversed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assistance.models.plans import PlanItem
from assistance.models.projects import Project
from township.access import Scope, scope_for
from township.choices import QuickChoiceDisplay
from township.models import Township
from township.scoping import ScopedQuerySet


class FundQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "FundQuerySet":
        """Funds are kept by the township: its roles and the county see them."""
        scope = scope_for(user)
        match scope.level:
            case Scope.Level.ALL:
                return self.all()
            case Scope.Level.COUNTY:
                return self.filter(township__county_id=scope.county_id)
            case Scope.Level.TOWNSHIP:
                return self.filter(township_id=scope.township_id)
        return self.none()


class Fund(QuickChoiceDisplay, models.Model):
    class Source(models.TextChoices):
        CENTRAL = "central", _("Central fiscal special fund")
        PROVINCIAL = "provincial", _("Provincial fiscal special fund")
        MUNICIPAL = "municipal", _("Municipal fiscal special fund")
        COUNTY = "county", _("County fiscal special fund")
        INTEGRATED = "integrated", _("Integrated agriculture-related funds")
        EAST_WEST = "east_west", _("East–west cooperation")
        PAIRED_UNIT = "paired_unit", _("Paired-unit funds")
        DONATION = "donation", _("Social donations")
        CREDIT = "credit", _("Credit funds")

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="funds", verbose_name=_("township")
    )
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    purpose = models.CharField(_("earmarked purpose"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name", "year"],
                name="fund_name_once_a_year",
                violation_error_message=_(
                    "This township already has a fund of this name this year."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class LedgerEntryQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "LedgerEntryQuerySet":
        """The entries of the funds ``user`` may see."""
        return self.filter(fund__in=Fund.objects.visible_to(user))


class LedgerEntry(QuickChoiceDisplay, models.Model):
    """One immutable line of a fund's ledger."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ALLOCATION = "allocation", _("Allocation")
        DISBURSEMENT = "disbursement", _("Disbursement")
        REVERSAL = "reversal", _("Reversal")

    class LoanUse(models.TextChoices):
        """What money allocated to a microfinance loan pays for."""

        INTEREST_SUBSIDY = "interest", _("Interest subsidy (贴息)")
        RISK_COMPENSATION = "risk", _("Risk compensation (风险补偿金)")

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    voucher = models.CharField(_("voucher number"), max_length=40)
    entry_date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("purpose"), max_length=200)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("project"),
    )
    plan_item = models.ForeignKey(
        PlanItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("household measure"),
    )
    loan = models.ForeignKey(
        "assistance.Loan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("microfinance loan"),
    )
    loan_use = models.CharField(
        _("use for the loan"), max_length=8, choices=LoanUse.choices, blank=True
    )
    allocation = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
        verbose_name=_("against allocation"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "voucher"],
                name="ledger_voucher_unique_per_fund",
                violation_error_message=_("This voucher number is already used in this fund."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="ledger_amount_positive",
                violation_error_message=_("An amount is above zero."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="receipt",
                        project__isnull=True,
                        plan_item__isnull=True,
                        loan__isnull=True,
                        allocation__isnull=True,
                        reverses__isnull=True,
                    )
                    # An allocation earmarks money for exactly one target: a project, a
                    # household's measure, or a loan's interest subsidy or risk compensation.
                    | Q(kind="allocation", allocation__isnull=True, reverses__isnull=True)
                    & (
                        Q(project__isnull=False, plan_item__isnull=True, loan__isnull=True)
                        | Q(project__isnull=True, plan_item__isnull=False, loan__isnull=True)
                        | Q(project__isnull=True, plan_item__isnull=True, loan__isnull=False)
                    )
                    | Q(
                        kind="disbursement",
                        allocation__isnull=False,
                        reverses__isnull=True,
                        loan__isnull=True,
                    )
                    | Q(
                        kind="reversal",
                        reverses__isnull=False,
                        allocation__isnull=True,
                        loan__isnull=True,
                    )
                ),
                name="ledger_entry_links_match_kind",
                violation_error_message=_(
                    "The entry's project, measure or allocation does not match its kind."
                ),
            ),
            models.CheckConstraint(
                condition=Q(loan__isnull=True, loan_use="")
                | Q(loan__isnull=False) & ~Q(loan_use=""),
                name="ledger_loan_has_use",
                violation_error_message=_(
                    "Money allocated to a loan says whether it is for the interest subsidy or "
                    "the risk compensation."
                ),
            ),
        ]
        indexes = [
            # Fund balances: sums by fund and kind.
            models.Index(fields=["fund", "kind"], name="ledger_fund_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.voucher} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        # Append-only: an entry, once written, is corrected by a reversal, never edited.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are immutable; record a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are never deleted; record a reversal instead.")
