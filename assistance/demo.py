"""Demo assistance data for the demo township: plans, projects, funds with a year of
entries, and microfinance loans. Deterministic and idempotent, like ``households.demo``."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from assistance import demo_registers, ledger, services
from assistance.models import (
    AssistancePlan,
    Delivery,
    Fund,
    LedgerEntry,
    Loan,
    MeasureKind,
    PlanItem,
    Project,
    ProjectBeneficiary,
)
from households import policy
from households.demo import SEED, TOWNSHIP
from households.models import Household, Pairing
from township.models import Township

D = Decimal
PROJECTS = [
    (
        "通组公路硬化工程",
        Project.Kind.ROAD,
        [0, 1],
        "200000",
        "县交通运输局",
        Project.Stage.ACCEPTED,
        "道路硬化后方便农产品外运，优先聘用贫困户务工。",
        "硬化通组公路3.2公里",
    ),
    (
        "安全饮水巩固提升工程",
        Project.Kind.WATER,
        [2],
        "120000",
        "县水务局",
        Project.Stage.IN_PROGRESS,
        "解决全组群众安全饮水问题。",
        "新建蓄水池2座，管网5公里",
    ),
    (
        "村级光伏电站",
        Project.Kind.PHOTOVOLTAIC,
        [3, 4],
        "300000",
        "新田镇人民政府",
        Project.Stage.APPROVED,
        "电站收益的60%用于贫困户分红和公益岗位。",
        "装机容量100千瓦，年收益8万元",
    ),
]
FUNDS = [
    ("中央财政专项扶贫资金", Fund.Source.CENTRAL, "产业扶持和基础设施", "600000"),
    ("县级财政专项扶贫资金", Fund.Source.COUNTY, "到户产业扶持", "150000"),
    ("东西部协作资金", Fund.Source.EAST_WEST, "光伏电站建设", "300000"),
]
ITEM_TEXTS = {
    "industry": ("发放鸡苗50只并提供饲料补助", "1500"),
    "employment": ("推荐到县工业园区务工", "0"),
    "training": ("参加种养殖技能培训", "0"),
    "education": ("雨露计划中职学生补助", "3000"),
    "housing": ("危房改造补助", "20000"),
    "microfinance": ("扶贫小额信贷贴息", "2000"),
    "health": ("大病医疗救助", "5000"),
    "dibao": ("纳入农村低保", "3600"),
    "five_guarantee": ("特困供养金", "5000"),
    "relocation": ("易地扶贫搬迁安置", "0"),
    "welfare_posts": ("安排生态护林员岗位", "10000"),
    "dividends": ("光伏收益分红", "800"),
    "spiritual": ("参加道德讲堂和感恩教育", "0"),
    "social": ("社会爱心人士捐赠物资", "500"),
    "other": ("其他帮扶", "300"),
}


def _plans(households: list[Household], cadres: dict[int, int], user, today) -> None:
    year = today.year
    existing = set(
        AssistancePlan.objects.filter(year=year, household__in=households).values_list(
            "household_id", flat=True
        )
    )
    kinds = {k.code: k for k in MeasureKind.objects.prefetch_related("causes")}
    by_cause: dict[str, list[MeasureKind]] = {}
    for kind in kinds.values():
        for cause in kind.causes.all():
            by_cause.setdefault(cause.cause, []).append(kind)
    plans, items = [], []
    for hh in households:
        if hh.pk in existing or hh.pk not in cadres:
            continue
        rng = random.Random(f"{SEED}-plan-{hh.card_number}")
        plan = AssistancePlan(
            household=hh,
            year=year,
            cadre_id=cadres[hh.pk],
            created_by=user,
            target_income=D(rng.randrange(5000, 9000)),
            required_visits=12,
        )
        plans.append(plan)
        causes = [c.cause for c in hh.causes.all()] or ["other"]
        chosen = {rng.choice(by_cause.get(c, [kinds["other"]])).code for c in causes}
        for code in sorted(chosen):
            text, amount = ITEM_TEXTS[code]
            due = datetime.date(year, rng.choice([3, 5, 6, 9, 11, 12]), 28)
            items.append(
                PlanItem(
                    plan=plan,
                    kind=kinds[code],
                    description=text,
                    planned_amount=D(amount),
                    due_date=due,
                    responsible_id=cadres[hh.pk],
                )
            )
    bulk_create_with_history(
        plans, AssistancePlan, batch_size=1000, default_change_reason="seed_demo"
    )
    bulk_create_with_history(items, PlanItem, batch_size=1000, default_change_reason="seed_demo")
    deliveries, done = [], []
    for item in items:
        rng = random.Random(f"{SEED}-delivery-{item.plan.household.card_number}-{item.kind.code}")
        if item.due_date < today and rng.random() < 0.7:
            amount = item.planned_amount
            delivered_on = item.due_date - datetime.timedelta(days=rng.randint(1, 40))
            deliveries.append(
                Delivery(
                    item=item,
                    delivered_on=delivered_on,
                    amount=amount,
                    quantity="" if amount else "1次",
                    recorded_by=user,
                )
            )
            item.status, item.closed_on = PlanItem.Status.DONE, delivered_on
            done.append(item)
    bulk_create_with_history(
        deliveries, Delivery, batch_size=1000, default_change_reason="seed_demo"
    )
    PlanItem.objects.bulk_update(done, ["status", "closed_on"], batch_size=1000)


def _projects(township: Township, villages, user, today) -> list[Project]:
    projects = []
    for i, (name, kind, village_idx, budget, unit, stage, mechanism, target) in enumerate(PROJECTS):
        project, created = Project.objects.get_or_create(
            township=township,
            name=name,
            year=today.year,
            defaults={
                "kind": kind,
                "budget": D(budget),
                "implementing_unit": unit,
                "benefit_mechanism": mechanism,
                "performance_target": target,
            },
        )
        projects.append(project)
        if not created:
            continue
        project.villages.set([villages[j] for j in village_idx])
        while project.stage != stage:
            project = services.project_advance(
                project=project, on=datetime.date(today.year, 2 + i * 2, 10), note="", user=user
            )
        rng = random.Random(SEED + i)
        candidates = list(
            Household.objects.filter(village__in=[villages[j] for j in village_idx]).order_by("pk")[
                :60
            ]
        )
        for hh in rng.sample(candidates, min(10, len(candidates))):
            ProjectBeneficiary.objects.create(project=project, household=hh, how=mechanism[:60])
    return projects


def _funds(
    township: Township, projects: list[Project], user, today, household_allocations: int
) -> None:
    year = today.year
    for i, (name, source, purpose, amount) in enumerate(FUNDS):
        fund, _ = Fund.objects.get_or_create(
            township=township, name=name, year=year, defaults={"source": source, "purpose": purpose}
        )
        if LedgerEntry.objects.filter(fund=fund).exists():
            continue
        day = datetime.date(year, 1, 15)
        half = (D(amount) / 2).quantize(D("0.01"))
        ledger.ledger_receive(
            fund=fund,
            amount=half,
            voucher=f"{year}-R01",
            entry_date=day,
            purpose="上级拨入（第一批）",
            user=user,
        )
        ledger.ledger_receive(
            fund=fund,
            amount=D(amount) - half,
            voucher=f"{year}-R02",
            entry_date=min(today, datetime.date(year, 4, 20)),
            purpose="上级拨入（第二批）",
            user=user,
        )
        project = projects[i % len(projects)]
        room = project.budget - ledger.project_allocated(project)
        allocation = ledger.ledger_allocate(
            fund=fund,
            amount=min(room, D(amount) * D("0.6")).quantize(D("0.01")),
            voucher=f"{year}-A01",
            entry_date=min(today, datetime.date(year, 3, 1)),
            purpose=f"拨付{project.name}",
            user=user,
            project=project,
        )
        paid = (allocation.amount * D("0.5")).quantize(D("0.01"))
        ledger.ledger_disburse(
            allocation=allocation,
            amount=paid,
            voucher=f"{year}-D01",
            entry_date=min(today, datetime.date(year, 6, 30)),
            purpose="工程进度款",
            user=user,
        )
        wrong = ledger.ledger_disburse(
            allocation=allocation,
            amount=D("1000.00"),
            voucher=f"{year}-D02",
            entry_date=min(today, datetime.date(year, 7, 2)),
            purpose="材料款",
            user=user,
        )
        ledger.ledger_reverse(
            entry=wrong,
            voucher=f"{year}-V01",
            entry_date=min(today, datetime.date(year, 7, 5)),
            reason="重复支付，冲销",
            user=user,
        )
        n_items = household_allocations
        items = PlanItem.objects.filter(
            plan__year=year, plan__household__village__township=township, planned_amount__gt=0
        ).order_by("pk")[i * n_items : (i + 1) * n_items]
        for n, item in enumerate(items, start=1):
            try:
                share = ledger.ledger_allocate(
                    fund=fund,
                    amount=item.planned_amount,
                    voucher=f"{year}-H{n:04d}",
                    entry_date=min(today, datetime.date(year, 3, 10)),
                    purpose=item.description,
                    user=user,
                    plan_item=item,
                )
            except ledger.LedgerRefused:
                break  # the fund is fully allocated
            if item.status == PlanItem.Status.DONE:
                ledger.ledger_disburse(
                    allocation=share,
                    amount=item.planned_amount,
                    voucher=f"{year}-P{n:04d}",
                    entry_date=min(today, item.closed_on),
                    purpose=item.description,
                    user=user,
                )


def _loans(
    households: list[Household], fund: Fund | None, user, today, *, count: int = 20, risk=None
) -> None:
    rng = random.Random(SEED + 7)
    with_loans = set(
        Loan.objects.filter(household__in=households).values_list("household_id", flat=True)
    )
    for hh in rng.sample(households, min(count, len(households))):
        if hh.pk in with_loans:
            continue
        disbursed = datetime.date(today.year - rng.choice([0, 1, 2]), rng.randint(1, 12), 10)
        disbursed = min(disbursed, today)
        loan = services.loan_create(
            fields={
                "household": hh,
                "bank": rng.choice(["农村信用社", "邮政储蓄银行", "农业银行"]),
                "principal": D(rng.choice([20000, 30000, 50000])),
                "disbursed_on": disbursed,
                "term_months": 36,
                "annual_rate": D("4.35"),
                "subsidy_fund": fund,
                "risk_fund": risk,
                "purpose": rng.choice(["养殖", "种植", "经营农家乐"]),
            },
            user=user,
        )
        for repayment in loan.repayments.filter(due_date__lt=today).order_by("due_date"):
            if rng.random() < 0.85:
                repayment.paid_on = repayment.due_date
                repayment.save()


@transaction.atomic
def seed_assistance(
    *,
    today: datetime.date | None = None,
    township_code: str = TOWNSHIP[1],
    username: str = "staff",
    household_allocations: int = 5,
    loans: int = 20,
) -> None:
    """Plans, projects, funds and loans of one township (the demo township by default);
    ``household_allocations`` plan items per fund get money allocated and paid."""
    today = today or datetime.date.today()
    township = Township.objects.get(code=township_code)
    villages = list(township.villages.order_by("code"))
    user = get_user_model().objects.get(username=username)
    households = list(
        Household.objects.filter(village__township=township)
        .prefetch_related("causes")
        .order_by("pk")
    )
    cadres = dict(
        Pairing.objects.current()
        .filter(household__in=households)
        .values_list("household_id", "cadre_id")
    )
    needy = [h for h in households if h.status in policy.POOR]
    demo_cadres = set(
        Pairing.objects.filter(cadre__user__username__in=["cadre", "cadre2"]).values_list(
            "cadre_id", flat=True
        )
    )
    paired_demo = [h for h in households if cadres.get(h.pk) in demo_cadres]
    _plans(list({h.pk: h for h in needy + paired_demo}.values()), cadres, user, today)
    projects = _projects(township, villages, user, today)
    _funds(township, projects, user, today, household_allocations)
    _loans(
        needy or households,
        Fund.objects.filter(township=township, source=Fund.Source.COUNTY).first(),
        user,
        today,
        count=loans,
        risk=demo_registers.risk_fund(township, user, today),
    )
    demo_registers.seed_registers(township=township, user=user, today=today)
