"""Demo data of the registers, the loans' money, the village's books and the year's policy
data, written through the services like every other demo record. Deterministic and
idempotent: each part is skipped once the township has it."""

import datetime
import io
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from PIL import Image

from assistance import ledger, register_services, services, village_services
from assistance.models import (
    AssistancePlan,
    DividendContract,
    Enterprise,
    Fund,
    HealthRelief,
    HousingRenovation,
    LedgerEntry,
    Loan,
    LoanPolicy,
    MeasureKind,
    MutualAidFund,
    PlanItem,
    Project,
    RainDewStudent,
    TeamAttendance,
    TrainingSession,
    VillagePlan,
)
from households import policy
from households.demo import SEED, TOWNSHIP
from households.models import CountyIncome, ExitTarget, Household, Member, Pairing
from township.models import HelpUnit, Township

D = Decimal
CENT = D("0.01")


def _day(today: datetime.date, month: int, day: int) -> datetime.date:
    return min(today, datetime.date(today.year, month, day))


def seed_shared_policy(county, today: datetime.date) -> None:
    """What every township of the county reads: the years' microfinance limits and the
    county's average rural income."""
    for year in range(today.year - 3, today.year + 1):
        LoanPolicy.objects.get_or_create(
            year=year,
            defaults={
                "max_principal": D("50000"),
                "max_term_months": 36,
                "base_rate": D("4.35"),
                "subsidy_share": D("100"),
                "note": "5万元以下、3年以内、免担保免抵押、基准利率、财政全额贴息",
            },
        )
    for year in range(2014, today.year + 1):
        CountyIncome.objects.get_or_create(
            county=county,
            year=year,
            defaults={"per_capita": (D("6200") * D("1.085") ** (year - 2014)).quantize(CENT)},
        )


def seed_policy(township: Township, today: datetime.date) -> None:
    """The year's policy data: the county's (``seed_shared_policy``), and the exit targets
    of help units and poor villages."""
    seed_shared_policy(township.county, today)
    poor = Household.objects.filter(village__township=township, status__in=policy.POOR)
    by_unit = (
        Pairing.objects.current()
        .filter(household__in=poor, cadre__help_unit__isnull=False)
        .values_list("cadre__help_unit")
        .annotate(n=Count("household", distinct=True))
        .order_by()
    )
    if township.code != TOWNSHIP[1]:
        by_unit = by_unit.none()  # the county's help units answer for the demo township's villages
    for unit_id, n in by_unit:
        ExitTarget.objects.get_or_create(
            year=today.year,
            help_unit=HelpUnit.objects.get(pk=unit_id),
            defaults={"households": max(1, n // 3)},
        )
    by_village = (
        poor.filter(village__years__year=today.year, village__years__is_poor_village=True)
        .values_list("village")
        .annotate(n=Count("pk"))
    )
    for village_id, n in by_village.order_by():
        ExitTarget.objects.get_or_create(
            year=today.year,
            village_id=village_id,
            defaults={"households": max(1, n // 3)},
        )


def register_fund(township: Township, user, today: datetime.date) -> Fund:
    """The fund the demo's household subsidies are paid from."""
    fund, created = Fund.objects.get_or_create(
        township=township,
        name="到户补助资金",
        year=today.year,
        defaults={"source": Fund.Source.INTEGRATED, "purpose": "危房改造、雨露计划、医疗救助"},
    )
    if created:
        ledger.ledger_receive(
            fund=fund,
            amount=D("800000"),
            voucher=f"{today.year}-R01",
            entry_date=_day(today, 1, 20),
            purpose="统筹整合涉农资金拨入",
            user=user,
        )
    return fund


def risk_fund(township: Township, user, today: datetime.date) -> Fund:
    fund, created = Fund.objects.get_or_create(
        township=township,
        name="扶贫小额信贷风险补偿金",
        year=today.year,
        defaults={"source": Fund.Source.COUNTY, "purpose": "小额信贷风险补偿"},
    )
    if created:
        ledger.ledger_receive(
            fund=fund,
            amount=D("200000"),
            voucher=f"{today.year}-R01",
            entry_date=_day(today, 1, 10),
            purpose="县财政注入风险补偿金",
            user=user,
        )
    return fund


def _pay(item: PlanItem, fund: Fund, amount: Decimal, tag: str, day, user, *, pay: bool):
    """Allocate ``amount`` of ``fund`` to the item, and pay it when asked."""
    if amount > ledger.fund_balance(fund).unallocated:
        return  # a large demo township draws more than the demo fund holds
    allocation = register_services.plan_item_allocate(
        item=item,
        fund=fund,
        amount=amount,
        voucher=f"{tag}A",
        entry_date=day,
        purpose=item.description,
        user=user,
    )
    if pay:
        register_services.plan_item_pay(
            item=item,
            allocation=allocation,
            amount=amount,
            voucher=f"{tag}P",
            entry_date=day,
            purpose=item.description,
            completes=True,
            user=user,
            # Demo deliveries written earlier may already count towards the item.
            beyond_plan=True,
        )


def _items(township, year: int, code: str, user=None) -> list[PlanItem]:
    """The year's plan items of one measure kind; when the plans have none (a small demo),
    three plans get one, so that every register has records."""
    items = PlanItem.objects.filter(
        plan__household__village__township=township, plan__year=year, kind__code=code
    ).exclude(status=PlanItem.Status.CANCELLED)
    if user is not None and not items.exists():
        from assistance.demo import ITEM_TEXTS  # the plans' demo texts (that module calls us)

        text, amount = ITEM_TEXTS[code]
        kind = MeasureKind.objects.get(code=code)
        for plan in AssistancePlan.objects.filter(
            household__village__township=township, year=year
        ).order_by("pk")[:3]:
            services.plan_item_add(
                plan=plan,
                kind=kind,
                description=text,
                planned_amount=D(amount),
                due_date=datetime.date(year, 10, 31),
                responsible=plan.cadre,
                user=user,
            )
    return list(items.select_related("plan__household").order_by("pk"))


def seed_renovations(township, fund, user, today) -> None:
    if HousingRenovation.objects.filter(household__village__township=township).exists():
        return
    for n, item in enumerate(_items(township, today.year, "housing", user), start=1):
        hh = item.plan.household
        grade = "C" if hh.housing == Household.Housing.DILAPIDATED_C else "D"
        subsidy = item.planned_amount or D("20000")
        renovation = register_services.renovation_create(
            household=hh,
            plan_item=item,
            fields={
                "year": today.year,
                "grade": grade,
                "method": "repair" if grade == "C" else "rebuild",
                "subsidy": subsidy,
                "note": "",
            },
            user=user,
        )
        if n % 3 == 0:
            continue  # approved, works not begun
        register_services.renovation_start(renovation=renovation, on=_day(today, 3, 15), user=user)
        if n % 3 == 1:
            register_services.renovation_accept(
                renovation=renovation,
                on=_day(today, 8, 20),
                accepted_by="县住房和城乡建设局",
                user=user,
            )
        _pay(item, fund, subsidy, f"W{n:02d}", _day(today, 9, 1), user, pay=n % 3 == 1)


def seed_students(township, fund, user, today) -> None:
    if RainDewStudent.objects.filter(household__village__township=township).exists():
        return
    for n, item in enumerate(_items(township, today.year, "education", user), start=1):
        hh = item.plan.household
        student = (
            hh.members.filter(is_active=True)
            .exclude(relation=Member.Relation.HEAD)
            .order_by("-schooling", "pk")
            .first()
        )
        if student is None:
            continue
        subsidy = item.planned_amount or D("3000")
        register_services.rain_dew_create(
            household=hh,
            member=student,
            plan_item=item,
            fields={
                "school": "青山县中等职业学校" if n % 2 else "黔南职业技术学院",
                "level": "secondary" if n % 2 else "higher",
                "enrolled_year": today.year - n % 3,
                "school_year": today.year,
                "subsidy": subsidy,
            },
            user=user,
        )
        _pay(item, fund, subsidy, f"Y{n:02d}", _day(today, 10, 15), user, pay=n % 4 != 0)


def seed_reliefs(township, fund, user, today) -> None:
    if HealthRelief.objects.filter(household__village__township=township).exists():
        return
    for n, item in enumerate(_items(township, today.year, "health", user), start=1):
        hh = item.plan.household
        rng = random.Random(f"{SEED}-relief-{hh.card_number}")
        patient = (
            hh.members.filter(is_active=True, health__in=["serious", "chronic"]).first()
            or hh.members.filter(is_active=True, relation=Member.Relation.HEAD).first()
        )
        if patient is None:
            continue
        expenses = D(rng.randrange(20000, 80000))
        relief = min(item.planned_amount or D("5000"), (expenses * D("0.2")).quantize(CENT))
        register_services.health_relief_create(
            household=hh,
            member=patient,
            plan_item=item,
            fields={
                "year": today.year,
                "illness": rng.choice(["尿毒症", "恶性肿瘤", "脑梗塞", "重症肺炎"]),
                "hospital": rng.choice(["青山县人民医院", "黔南州人民医院"]),
                "admitted_on": _day(today, rng.randint(1, 9), rng.randint(1, 28)),
                "expenses": expenses,
                "basic_insurance": (expenses * D("0.55")).quantize(CENT),
                "serious_illness_insurance": (expenses * D("0.15")).quantize(CENT),
                "relief": relief,
            },
            user=user,
        )
        _pay(item, fund, relief, f"J{n:02d}", _day(today, 10, 20), user, pay=True)


def seed_trainings(township, user, today) -> None:
    if TrainingSession.objects.filter(township=township).exists():
        return
    villages = list(township.villages.order_by("code"))
    sessions = [
        register_services.training_create(
            township=township,
            village=villages[-3] if len(villages) > 3 else None,
            fields={
                "title": "茶叶种植与炒制技术培训",
                "skill": "茶叶种植",
                "organiser": "县农业农村局",
                "starts_on": _day(today, 4, 8),
                "ends_on": _day(today, 4, 12),
            },
            user=user,
        ),
        register_services.training_create(
            township=township,
            village=None,
            fields={
                "title": "电工焊工转移就业培训",
                "skill": "电焊",
                "organiser": "县人力资源和社会保障局",
                "starts_on": _day(today, 5, 10),
                "ends_on": _day(today, 5, 24),
            },
            user=user,
        ),
    ]
    households = [
        i.plan.household
        for code in ("training", "employment")
        for i in _items(township, today.year, code)
    ]
    outcomes = ["migrant", "local_job", "self_employed", "pending", "none"]
    for n, hh in enumerate(households[:16]):
        member = hh.members.filter(is_active=True, labour="normal").order_by("pk").first()
        if member is None:
            continue
        outcome = outcomes[n % len(outcomes)]
        register_services.attendance_save(
            session=sessions[n % 2],
            member=member,
            plan_item=None,
            completed=outcome != "none",
            outcome=outcome,
            employer={"migrant": "浙江宁波某电器厂", "local_job": "县工业园区"}.get(outcome, ""),
            monthly_wage={"migrant": D("4200"), "local_job": D("2800")}.get(outcome),
            user=user,
        )


def seed_dividends(township, user, today) -> None:
    if Enterprise.objects.filter(township=township).exists():
        return
    enterprise = register_services.enterprise_create(
        township=township,
        fields={
            "name": "林香园茶叶专业合作社",
            "kind": "cooperative",
            "industry": "茶叶",
            "legal_person": "林香园",
            "phone": "",
        },
        user=user,
    )
    for n, item in enumerate(_items(township, today.year, "dividends", user), start=1):
        contract = register_services.contract_create(
            enterprise=enterprise,
            household=item.plan.household,
            plan_item=item,
            fields={
                "basis": DividendContract.Basis.FUND_SHARES,
                "invested": D("5000"),
                "annual_dividend": D("600"),
                "signed_on": datetime.date(today.year - 1, 3, 1),
                "start_year": today.year - 1,
                "end_year": today.year + 1,
            },
            user=user,
        )
        register_services.dividend_pay(
            contract=contract,
            year=today.year - 1,
            paid_on=datetime.date(today.year - 1, 12, 20),
            amount=D("600"),
            voucher=f"{today.year - 1}-F{n:02d}",
            user=user,
        )
        if n % 4 and today >= datetime.date(today.year, 7, 1):
            register_services.dividend_pay(
                contract=contract,
                year=today.year,
                paid_on=datetime.date(today.year, 7, 1),
                amount=D("300"),
                voucher=f"{today.year}-F{n:02d}",
                user=user,
            )


def seed_loan_money(township, user, today) -> None:
    """Interest subsidies for paid instalments, and one loan in default compensated and
    written off."""
    Use = LedgerEntry.LoanUse
    done = LedgerEntry.objects.filter(loan__household__village__township=township)
    loans = list(
        Loan.objects.filter(household__village__township=township, subsidy_fund__isnull=False)
        .exclude(ledger_entries__isnull=False)
        .order_by("pk")
    )
    for loan in [] if done.filter(loan_use=Use.INTEREST_SUBSIDY).exists() else loans[:8]:
        paid = list(loan.repayments.filter(paid_on__isnull=False).order_by("due_date"))
        if not paid:
            continue
        amounts = [services.interest_subsidy_due(r) for r in paid]
        try:
            services.loan_money_allocate(
                loan=loan,
                use=Use.INTEREST_SUBSIDY,
                amount=sum(amounts, D("0")),
                voucher=f"L{loan.household.card_number}-T",
                entry_date=paid[0].paid_on,
                purpose="小额信贷贴息",
                user=user,
            )
        except ValidationError:  # the demo fund has no unallocated money left: skip the loan
            continue
        for n, (repayment, amount) in enumerate(zip(paid, amounts, strict=True), start=1):
            services.loan_interest_subsidise(
                repayment=repayment,
                amount=amount,
                voucher=f"L{loan.household.card_number}-T{n:02d}",
                entry_date=repayment.paid_on,
                user=user,
            )
    if done.filter(loan_use=Use.RISK_COMPENSATION).exists():
        return
    defaulted = next(
        (
            loan
            for loan in Loan.objects.filter(
                household__village__township=township,
                status=Loan.Status.ACTIVE,
                risk_fund__isnull=False,
            ).order_by("pk")
            if any(r.is_overdue(today) for r in loan.repayments.all())
        ),
        None,
    )
    if defaulted is None:
        return
    services.loan_money_allocate(
        loan=defaulted,
        use=Use.RISK_COMPENSATION,
        amount=defaulted.principal,
        voucher=f"L{defaulted.household.card_number}-R",
        entry_date=today,
        purpose="风险补偿金代偿",
        user=user,
    )
    services.loan_compensate(
        loan=defaulted,
        amount=(defaulted.principal * D("0.8")).quantize(CENT),
        voucher=f"L{defaulted.household.card_number}-R01",
        entry_date=today,
        reason="借款人因病无力偿还，风险补偿金代偿80%",
        user=user,
    )
    services.loan_write_off(
        loan=defaulted, on=today, reason="经县扶贫办审核核销剩余本息", user=user
    )


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buffer, "PNG")
    upload = SimpleUploadedFile("works.png", buffer.getvalue(), content_type="image/png")
    return upload


def seed_project_records(township, user, today) -> None:
    for project in Project.objects.filter(township=township, year=today.year).order_by("pk"):
        if project.evaluations.exists():
            continue
        services.project_evaluation_add(
            project=project,
            fields={
                "kind": "pre",
                "evaluated_on": datetime.date(today.year, 1, 20),
                "evaluator": "县扶贫开发办公室",
                "indicator": "受益建档立卡户",
                "unit": "户",
                "target_value": D(project.beneficiaries.count() or 10),
                "actual_value": None,
                "findings": "项目符合村级发展规划，带贫机制明确。",
            },
            user=user,
        )
        if project.stage == Project.Stage.ACCEPTED:
            services.project_document_add(
                project=project,
                stage=Project.Stage.ACCEPTED,
                kind="photo",
                title="竣工照片",
                upload=_png(),
                user=user,
            )
            services.project_evaluation_add(
                project=project,
                fields={
                    "kind": "follow_up",
                    "evaluated_on": _day(today, 10, 30),
                    "evaluator": "新田镇扶贫工作站",
                    "indicator": "受益建档立卡户",
                    "unit": "户",
                    "target_value": D(project.beneficiaries.count() or 10),
                    "actual_value": D(project.beneficiaries.count()),
                    "findings": "道路通行良好，受益户农产品外运成本下降。",
                },
                user=user,
            )


def seed_village_books(township, user, today) -> None:
    village = township.villages.order_by("code").first()
    if village is None or VillagePlan.objects.filter(village=village).exists():
        return
    plan = village_services.village_plan_save(
        village=village,
        plan=None,
        fields={
            "title": f"{village.name}三年发展规划",
            "start_year": today.year - 1,
            "end_year": today.year + 1,
            "goals": "贫困户全部脱贫；村集体经济收入达到5万元以上；完成通组公路和安全饮水工程。",
            "approved_on": datetime.date(today.year - 1, 3, 1),
        },
        user=user,
    )
    entries = [
        ("茶园提质增效项目", Project.Kind.INDUSTRY, "150000", "扩建茶园200亩，带动贫困户务工"),
        ("二组便民桥", Project.Kind.BRIDGE, "110000", "新建便民桥两座，方便三个组群众出行"),
        ("村级光伏电站二期", Project.Kind.PHOTOVOLTAIC, "260000", "收益用于公益岗位和分红"),
    ]
    created = [
        village_services.library_entry_add(
            plan=plan,
            fields={
                "name": name,
                "kind": kind,
                "year": today.year,
                "estimated_budget": D(budget),
                "priority": n,
                "description": what,
            },
            user=user,
        )
        for n, (name, kind, budget, what) in enumerate(entries, start=1)
    ]
    village_services.library_entry_promote(
        entry=created[1], implementing_unit="县交通运输局", user=user
    )
    fund = village_services.mutual_aid_fund_create(
        village=village,
        fields={
            "name": f"{village.name}扶贫互助资金",
            "established_on": datetime.date(today.year - 1, 6, 1),
            "max_loan": D("5000"),
            "fee_rate": D("3"),
        },
        user=user,
    )
    village_services.mutual_aid_capital(
        fund=fund,
        amount=D("150000"),
        voucher=f"{today.year - 1}-HZ01",
        entry_date=datetime.date(today.year - 1, 6, 5),
        purpose="财政扶贫资金注入",
        user=user,
    )
    members = [
        village_services.mutual_aid_member_add(
            fund=fund, household=hh, joined_on=datetime.date(today.year - 1, 6, 10), user=user
        )
        for hh in Household.objects.filter(village=village, status__in=policy.REGISTERED).order_by(
            "pk"
        )[:6]
    ]
    for n, member in enumerate(members[:3], start=1):
        loan = village_services.mutual_aid_lend(
            fund=fund,
            member=member,
            amount=D("3000") + n * D("500"),
            voucher=f"{today.year}-HZJ{n:02d}",
            entry_date=_day(today, 3, n),
            due_on=_day(today, 3, n) + datetime.timedelta(days=365),
            purpose="发展养殖",
            user=user,
        )
        if n == 1:
            village_services.mutual_aid_repay(
                loan=loan,
                amount=D("2000"),
                voucher=f"{today.year}-HZH{n:02d}",
                entry_date=_day(today, 9, 1),
                user=user,
            )
            village_services.mutual_aid_repay(
                loan=loan,
                amount=D("60"),
                voucher=f"{today.year}-HZF{n:02d}",
                entry_date=_day(today, 9, 1),
                user=user,
                fee=True,
            )
    team = village_services.team_of(village)
    for person in team:
        if TeamAttendance.objects.filter(person=person).exists():
            continue
        for back in range(30):
            day = today - datetime.timedelta(days=back)
            if day.weekday() == 6:
                continue
            presence = "in_village"
            if back % 11 == 5:
                presence = "on_duty"
            elif back == 17:
                presence = "leave"
            village_services.attendance_record(
                village=village, person=person, day=day, presence=presence, note="", user=user
            )


def seed_registers(*, township: Township, user, today: datetime.date) -> None:
    seed_policy(township, today)
    fund = register_fund(township, user, today)
    seed_renovations(township, fund, user, today)
    seed_students(township, fund, user, today)
    seed_reliefs(township, fund, user, today)
    seed_trainings(township, user, today)
    seed_dividends(township, user, today)
    seed_loan_money(township, user, today)
    if not MutualAidFund.objects.filter(village__township=township).exists():
        seed_village_books(township, user, today)
    seed_project_records(township, user, today)
