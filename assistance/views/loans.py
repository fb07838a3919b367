"""Microfinance loans: the list with overdue flags, a loan and its schedule, publicity."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistance import selectors, services
from assistance.forms import LoanForm, NoticeForm, RepaymentForm
from assistance.models import Fund, Loan
from assistance.views._common import first_message, require
from households.models import Household
from township.access import can_manage_township, get_village_for
from township.models import Village


@login_required
def loan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assistance/loans.html",
        {
            "loans": selectors.loans_for_list(request.user),
            "villages": Village.objects.visible_to(request.user).order_by("code"),
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
def loan_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    form = LoanForm(
        request.POST or None,
        households=Household.objects.visible_to(request.user),
        funds=Fund.objects.visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "card_number"}
        loan = services.loan_create(fields=fields, user=request.user)
        messages.success(request, _("Loan recorded with its repayment schedule."))
        return redirect("assistance:loan", loan.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("New microfinance loan"),
            "back": reverse("assistance:loans"),
        },
    )


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.get_loan_for(request.user, pk)
    today = datetime.date.today()
    repayments = list(loan.repayments.order_by("due_date"))
    for r in repayments:
        r.overdue = r.is_overdue(today)
    return render(
        request,
        "assistance/loan.html",
        {
            "loan": loan,
            "repayments": repayments,
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
@require_POST
def repayment_paid(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.get_loan_for(request.user, pk)
    require(can_manage_township(request.user))
    form = RepaymentForm(request.POST, loan=loan)
    if not form.is_valid():
        messages.error(request, _("Give a valid date."))
        return redirect("assistance:loan", loan.pk)
    try:
        services.repayment_record(
            repayment=form.cleaned_data["repayment"],
            paid_on=form.cleaned_data["paid_on"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, first_message(error))
    else:
        messages.success(request, _("Repayment recorded."))
    return redirect("assistance:loan", loan.pk)


@login_required
def loan_notice(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    form = NoticeForm(request.GET or None)
    notice = form.cleaned_data if form.is_valid() else NoticeForm.defaults()
    loans = list(
        Loan.objects.visible_to(request.user)
        .filter(household__village=village)
        .select_related("household")
        .order_by("disbursed_on")
    )
    return render(
        request,
        "assistance/notice_loans.html",
        {
            "village": village,
            "form": form,
            "notice": notice,
            "loans": loans,
            "heads": selectors.heads_of([loan.household_id for loan in loans]),
        },
    )
