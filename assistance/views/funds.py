"""Funds and their ledger: balances, entries, reversals, reconciliation, publicity."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import ledger, scoping, selectors
from assistance.forms import (
    EntryForm,
    FundForm,
    InitialKindForm,
    NoticeForm,
    ReverseForm,
    fund_items,
)
from assistance.models import LedgerEntry
from assistance.register_selectors import item_options
from assistance.views._common import LIST_PAGE_SIZE, require
from assistance.views.projects import _period
from households.forms import OptionSearchForm
from township.access import can_manage_township
from township.models import Township, Village

Kind = LedgerEntry.Kind


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    funds = selectors.funds_for_list(request.user)
    page = Paginator(funds, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/funds.html",
        {
            "funds": selectors.with_balances(page.object_list),
            "page": page,
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
def fund_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    townships = Township.objects.filter(
        villages__in=Village.objects.visible_to(request.user)
    ).distinct()
    form = FundForm(
        request.POST or None, townships=townships, initial={"year": datetime.date.today().year}
    )
    if request.method == "POST" and form.is_valid():
        fund = form.save()
        messages.success(request, _("Fund created."))
        return redirect("assistance:fund", fund.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("New fund"),
            "back": reverse("assistance:funds"),
        },
    )


@login_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = scoping.get_fund_for(request.user, pk)
    start, end = _period(request, fund.year)
    return render(
        request,
        "assistance/fund.html",
        {
            "fund": fund,
            "balance": ledger.fund_balance(fund),
            "reconciliation": selectors.fund_reconciliation(fund, start, end),
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
def entry_item_options(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry form's search: the fund's plan items that match, as <option>s."""
    fund = scoping.get_fund_for(request.user, pk)
    require(can_manage_township(request.user))
    form = OptionSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "households/includes/_options.html",
        {"options": item_options(fund_items(fund), q), "empty_label": "---------"},
    )


@login_required
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = scoping.get_fund_for(request.user, pk)
    require(can_manage_township(request.user))
    asked = InitialKindForm(request.GET)
    kind = (asked.cleaned_data["kind"] if asked.is_valid() else "") or Kind.RECEIPT
    form = EntryForm(request.POST or None, fund=fund, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "amount": data["amount"],
            "voucher": data["voucher"],
            "entry_date": data["entry_date"],
            "purpose": data["purpose"],
            "user": request.user,
        }
        try:
            if data["kind"] == Kind.RECEIPT:
                ledger.ledger_receive(fund=fund, **common)
            elif data["kind"] == Kind.ALLOCATION:
                ledger.ledger_allocate(
                    fund=fund, project=data["project"], plan_item=data["plan_item"], **common
                )
            else:
                ledger.ledger_disburse(allocation=data["allocation"], **common)
        except ledger.LedgerRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, _("Entry %(voucher)s recorded.") % {"voucher": data["voucher"]}
            )
            return redirect("assistance:fund", fund.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("New entry in %(fund)s") % {"fund": fund},
            "back": reverse("assistance:fund", args=[fund.pk]),
        },
    )


@login_required
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = scoping.get_entry_for(request.user, pk)
    require(can_manage_township(request.user))
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ledger.ledger_reverse(
                entry=entry,
                voucher=data["voucher"],
                entry_date=data["entry_date"],
                reason=data["reason"],
                user=request.user,
            )
        except ledger.LedgerRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Entry %(voucher)s reversed.") % {"voucher": entry.voucher})
            return redirect("assistance:fund", entry.fund_id)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Reverse entry %(voucher)s (%(amount)s yuan)")
            % {"voucher": entry.voucher, "amount": entry.amount},
            "back": reverse("assistance:fund", args=[entry.fund_id]),
        },
    )


@login_required
def fund_notice(request: HttpRequest, pk: int) -> HttpResponse:
    fund = scoping.get_fund_for(request.user, pk)
    form = NoticeForm(request.GET or None)
    notice = form.cleaned_data if form.is_valid() else NoticeForm.defaults()
    allocations = list(
        fund.entries.filter(kind=Kind.ALLOCATION, reversed_by__isnull=True)
        .select_related(
            "project",
            "plan_item__plan__household__village",
            "plan_item__kind",
            "loan__household__village",
        )
        .order_by("entry_date", "pk")
    )

    # An allocation goes to a project, a household's plan item or a loan: the row's head of
    # household is looked up here, not through a chain the template cannot follow when the
    # entry has no plan item.
    def household_of(e):
        if e.plan_item_id:
            return e.plan_item.plan.household_id
        return e.loan.household_id if e.loan_id else None

    heads = selectors.heads_of([household_of(e) for e in allocations if household_of(e)])
    rows = [(e, heads.get(household_of(e))) for e in allocations]
    return render(
        request,
        "assistance/notice_fund.html",
        {
            "fund": fund,
            "form": form,
            "pdf_url": reverse("reporting:fund_notice_pdf", args=[fund.pk]),
            "notice": notice,
            "rows": rows,
        },
    )
