"""Demo data: one county, one township of 12 villages, households, people and logins.

Deterministic: household ``i`` is always the same household, whatever the total asked for,
so a larger run adds households and a repeated run adds nothing (idempotent).
"""

import datetime
import functools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from households.bulkload import RowWriter
from households.models import (
    Household,
    HouseholdCause,
    HouseholdIncome,
    Member,
    Pairing,
    PovertyCause,
    PovertyLine,
    StatusChange,
    Visit,
)
from households.services import household_cadres_refresh, household_member_facts_refresh
from township.models import County, HelpUnit, StaffProfile, Township, Village
from township.validators import id_check_char

DEMO_PASSWORD = "bangfu-demo"
SEED = 20140101
COUNTY = ("青山县", "520399000000")
TOWNSHIP = ("新田镇", "520399100000")
VILLAGES = [
    "新田村",
    "石门村",
    "龙井村",
    "大坪村",
    "青杠村",
    "桃园村",
    "长岭村",
    "河坝村",
    "金竹村",
    "茶山村",
    "白岩村",
    "松林村",
]
POOR_VILLAGES = 5
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜")
MALE_CHARS = list("国建明军华平伟强志勇文德福贵林海成荣光兴全发昌永祥")
FEMALE_CHARS = list("秀英兰芳玉珍梅丽琴霞凤桂春燕红群花萍娟芬翠")
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组"]
CADRE_UNITS = [
    "县公安局",
    "县农业农村局",
    "县教育局",
    "县卫生健康局",
    "县人社局",
    "县交通运输局",
    "县水务局",
    "县林业局",
    "新田镇人民政府",
    "县供销社",
]
# Demo figures for the yearly lines, editable by leaders in the administration pages.
POVERTY_LINES = {
    2014: "2800",
    2015: "2855",
    2016: "2952",
    2017: "3335",
    2018: "3535",
    2019: "3747",
    2020: "4000",
    2021: "4100",
    2022: "4300",
    2023: "4500",
    2024: "4700",
    2025: "4900",
    2026: "5100",
}
HOUSEHOLDS_PER_CADRE = 12

# (username, name, role, unit, title, place)
DEMO_LOGINS = [
    ("county", "罗县长", StaffProfile.Role.COUNTY_ADMIN, "青山县扶贫开发办公室", "主任", "county"),
    ("leader", "张书记", StaffProfile.Role.LEADER, "新田镇党委", "党委书记", "township"),
    ("staff", "李干事", StaffProfile.Role.TOWNSHIP_STAFF, "新田镇扶贫工作站", "干事", "township"),
    ("team", "王第一书记", StaffProfile.Role.VILLAGE_TEAM, "县委组织部", "第一书记", "village"),
    ("cadre", "陈警官", StaffProfile.Role.CADRE, "县公安局", "民警", "township"),
    ("cadre2", "刘技术员", StaffProfile.Role.CADRE, "县农业农村局", "农艺师", "township"),
]


@dataclass
class DemoHousehold:
    """One generated household as plain values (written by ``bulkload.RowWriter``)."""

    household: dict
    members: list[dict] = field(default_factory=list)
    causes: list[dict] = field(default_factory=list)
    incomes: list[dict] = field(default_factory=list)


def _id_number(rng: random.Random, born: datetime.date, male: bool, used: set[str]) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    while True:
        first17 = f"520399{born:%Y%m%d}{seq % 1000:03d}"
        value = first17 + id_check_char(first17)
        if value not in used:
            used.add(value)
            return value
        seq += 2


def _birth(rng: random.Random, age: int, today: datetime.date) -> datetime.date:
    return datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))


def _person(rng, relation, surname, male, age, today, used) -> dict:
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2))))
    born = _birth(rng, age, today)
    schooling = Member.Schooling.NOT_IN_SCHOOL
    education = rng.choice(
        [Member.Education.PRIMARY, Member.Education.JUNIOR, Member.Education.NONE]
    )
    if age < 6:
        schooling, education = Member.Schooling.PRESCHOOL, Member.Education.PRESCHOOL
    elif age < 12:
        schooling, education = Member.Schooling.PRIMARY, Member.Education.PRIMARY
    elif age < 15:
        schooling, education = Member.Schooling.JUNIOR, Member.Education.JUNIOR
    elif age < 18:
        schooling = rng.choice([Member.Schooling.SENIOR, Member.Schooling.SECONDARY_VOCATIONAL])
        education = Member.Education.JUNIOR
    health = rng.choices(list(Member.Health), weights=[70, 15, 7, 8])[0]
    grade = rng.randint(1, 4) if health == Member.Health.DISABLED else None
    if age < 16 or age > 70:
        labour = Member.Labour.NONE
    elif health in (Member.Health.SERIOUS, Member.Health.DISABLED):
        labour = rng.choice([Member.Labour.LOST, Member.Labour.WEAK])
    else:
        labour = rng.choices([Member.Labour.NORMAL, Member.Labour.WEAK], weights=[80, 20])[0]
    return {
        "name": surname + given,
        "id_number": _id_number(rng, born, male, used),
        "sex": Member.Sex.MALE if male else Member.Sex.FEMALE,
        "relation": relation,
        "education": education,
        "schooling": schooling,
        "health": health,
        "disability_grade": grade,
        "labour": labour,
        "migrant_months": rng.choice([0, 0, 3, 6, 9, 10]) if labour == Member.Labour.NORMAL else 0,
        "medical_insurance": rng.random() < 0.97,
        "pension_insurance": age >= 16 and rng.random() < 0.8,
        "ethnicity": "汉族",
    }


def _transfer_parts(transfer: Decimal, attribute: str, head_age: int) -> dict[str, Decimal]:
    """The named parts of a year's transfer income (the rest is "other"): minimum-living
    payments for 低保 households, a pension for an older head, ecological compensation."""
    cent = Decimal("0.01")
    return {
        "transfer_dibao": (transfer * Decimal("0.5")).quantize(cent)
        if attribute == Household.Attribute.DIBAO
        else Decimal("0"),
        "transfer_pension": (transfer * Decimal("0.2")).quantize(cent)
        if head_age >= 60
        else Decimal("0"),
        "transfer_ecological": (transfer * Decimal("0.1")).quantize(cent),
    }


def _generate(index: int, village: Village, today: datetime.date, used: set[str]) -> DemoHousehold:
    rng = random.Random(SEED * 100_003 + index)
    serial = index // len(VILLAGES) + 1
    status = rng.choices(
        [
            Household.Status.POOR,
            Household.Status.EXITED,
            Household.Status.RETURNED,
            Household.Status.REMOVED,
        ],
        weights=[22, 72, 4, 2],
    )[0]
    hh = {
        "village_id": village.pk,
        "card_number": f"{village.code}{serial:04d}",
        "group_name": rng.choice(GROUPS),
        "address": f"{village.name}{rng.choice(GROUPS)}{rng.randint(1, 80)}号",
        "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        "bank_name": "农村信用社",
        "bank_account": f"6217{rng.randrange(10**15):015d}",
        "attribute": rng.choices(list(Household.Attribute), weights=[70, 20, 10])[0],
        "year_identified": rng.randint(2014, 2019),
        "status": status,
        "housing": rng.choices(list(Household.Housing), weights=[85, 10, 5])[0],
        "no_worry_food": status != Household.Status.POOR or rng.random() < 0.6,
        "no_worry_clothing": status != Household.Status.POOR or rng.random() < 0.7,
        "water_safe": rng.random() < 0.9,
        "road_distance_km": Decimal(rng.randint(0, 800)) / 100,
        "farmland_mu": Decimal(rng.randint(0, 80)) / 10,
        "forest_mu": Decimal(rng.randint(0, 200)) / 10,
    }
    demo = DemoHousehold(hh)
    surname = rng.choice(SURNAMES)
    head_age = rng.randint(32, 78)
    head_male = rng.random() < 0.85
    demo.members.append(
        _person(rng, Member.Relation.HEAD, surname, head_male, head_age, today, used)
    )
    if rng.random() < 0.8:
        spouse = _person(
            rng,
            Member.Relation.SPOUSE,
            rng.choice(SURNAMES),
            not head_male,
            max(20, head_age + rng.randint(-5, 3)),
            today,
            used,
        )
        demo.members.append(spouse)
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        age = max(0, head_age - rng.randint(20, 32))
        male = rng.random() < 0.5
        relation = Member.Relation.SON if male else Member.Relation.DAUGHTER
        demo.members.append(_person(rng, relation, surname, male, age, today, used))
    if head_age < 55 and rng.random() < 0.3:
        demo.members.append(
            _person(
                rng,
                Member.Relation.PARENT,
                surname,
                rng.random() < 0.4,
                head_age + rng.randint(22, 30),
                today,
                used,
            )
        )

    causes = rng.sample(list(PovertyCause), k=rng.choice([1, 2, 2, 3]))
    demo.causes = [{"cause": c, "is_main": i == 0} for i, c in enumerate(causes)]

    size = len(demo.members)
    base = {
        Household.Status.POOR: 3800,
        Household.Status.EXITED: 9000,
        Household.Status.RETURNED: 4200,
        Household.Status.REMOVED: 7000,
    }[status]
    for year in range(today.year - 2, today.year + 1):
        per_capita = base * (1 + 0.08 * (year - today.year + 2)) * rng.uniform(0.75, 1.35)
        gross = Decimal(round(per_capita * size * 1.15, 2)).quantize(Decimal("0.01"))
        wage = (gross * Decimal(rng.uniform(0.3, 0.6))).quantize(Decimal("0.01"))
        transfer = (gross * Decimal(rng.uniform(0.1, 0.3))).quantize(Decimal("0.01"))
        prop = (gross * Decimal(rng.uniform(0, 0.05))).quantize(Decimal("0.01"))
        demo.incomes.append(
            {
                "year": year,
                "members_count": size,
                "wage_income": wage,
                "transfer_income": transfer,
                **_transfer_parts(transfer, hh["attribute"], head_age),
                "property_income": prop,
                "business_income": gross - wage - transfer - prop,
                "production_cost": (gross * Decimal("0.13")).quantize(Decimal("0.01")),
            }
        )
    return demo


def _status_facts(index: int, household: dict, today: datetime.date) -> list[dict]:
    """The dated facts behind the demo card's status: registered in its year identified;
    exits of earlier years entered from the county's records; returns and removals dated."""
    from households.services import historical_exit_date, initial_status_chain

    rng = random.Random(SEED * 11 + index)
    status, identified = household["status"], household["year_identified"]
    last_year = today.year - 1
    exit_year = rng.randint(min(max(identified, 2016), last_year), last_year)
    if status == Household.Status.RETURNED:
        exit_year = min(exit_year, last_year - 1)
    chain = initial_status_chain(
        year_identified=identified,
        status=Household.Status.EXITED
        if status in (Household.Status.EXITED, Household.Status.RETURNED)
        else Household.Status.POOR,
        exited_on=historical_exit_date(exit_year, today=today),
        today=today,
    )
    notes = {Household.Status.EXITED: f"{exit_year}年度脱贫，县扶贫办批复（演示）"}
    if status == Household.Status.RETURNED:
        day = datetime.date(rng.randint(exit_year + 1, last_year), 6, 30)
        chain.append((Household.Status.RETURNED, day))
        notes[Household.Status.RETURNED] = "因病返贫（演示）"
    elif status == Household.Status.REMOVED:
        day = datetime.date(rng.randint(identified + 1, last_year), 3, 31)
        chain.append((Household.Status.REMOVED, day))
        notes[Household.Status.REMOVED] = "全户迁出（演示）"
    return [
        {
            "status": fact,
            "effective_on": day,
            "source": StatusChange.Source.CARRIED_OVER,
            "note": notes.get(fact, ""),
            "evidence": [],
        }
        for fact, day in chain
    ]


def _places() -> tuple[County, Township, list[Village]]:
    county, _ = County.objects.get_or_create(code=COUNTY[1], defaults={"name": COUNTY[0]})
    township, _ = Township.objects.get_or_create(
        code=TOWNSHIP[1], defaults={"name": TOWNSHIP[0], "county": county}
    )
    villages = []
    for i, name in enumerate(VILLAGES):
        village, _ = Village.objects.get_or_create(
            code=f"{TOWNSHIP[1][:9]}{201 + i:03d}",
            defaults={"name": name, "township": township},
        )
        villages.append(village)
    return county, township, villages


@functools.cache
def demo_password_hash(password: str = DEMO_PASSWORD) -> str:
    """The demo logins' password, hashed once: each hash takes a quarter of a second on
    purpose, and a county's demo gives the one printed password to some sixty logins."""
    return make_password(password)


def _login(username: str, *, password: str | None, superuser: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:
        if password:
            user.password = demo_password_hash(password)
        else:
            user.set_unusable_password()
        user.is_staff = user.is_superuser = superuser
        user.save()
    return user


def _help_units(county, villages, admin) -> dict[str, HelpUnit]:
    """The county units whose cadres are paired with households; each answers for a village
    (包村) of the demo township, the first ones for the poor villages. Kept through the
    county's help unit pages' service."""
    from township.units import help_unit_save

    units = {}
    for i, name in enumerate(CADRE_UNITS):
        unit = HelpUnit.objects.filter(county=county, name=name).first()
        if unit is None:
            unit = help_unit_save(
                user=admin,
                unit=None,
                county=county,
                name=name,
                kind=HelpUnit.Kind.GOVERNMENT,
                villages=[villages[i % len(villages)]],
            )
        units[name] = unit
    return units


def _account(actor, username: str, fields: dict, *, county=None, password: str | None):
    """A demo account made as the people pages make it; the demo logins then set their
    known password themselves (as a user does at the first login)."""
    from township.accounts import account_create, account_password_set

    existing = StaffProfile.objects.filter(user__username=username).first()
    if existing is not None:
        return existing
    profile, _temporary = account_create(
        actor=actor, username=username, fields=fields, county=county, login=bool(password)
    )
    if password:
        account_password_set(user=profile.user, password=password)
    return profile


def _profiles(county, township, villages, cadres_needed: int, admin) -> dict[str, StaffProfile]:
    places = {
        "county": {},
        "township": {"township": township},
        "village": {"village": villages[0]},
    }
    units = _help_units(county, villages, admin)
    profiles = {}
    for username, name, role, unit, title, place in DEMO_LOGINS:
        profiles[username] = _account(
            admin,
            username,
            {
                "name": name,
                "role": role,
                "unit": unit,
                "help_unit": units.get(unit) if role == StaffProfile.Role.CADRE else None,
                "title": title,
                **places[place],
            },
            county=county if role == StaffProfile.Role.COUNTY_ADMIN else None,
            password=DEMO_PASSWORD,
        )
    staff = profiles["staff"].user
    for n in range(3, cadres_needed + 1):
        rng = random.Random(SEED + n)
        male = rng.random() < 0.6
        chars = MALE_CHARS if male else FEMALE_CHARS
        unit = rng.choice(CADRE_UNITS)
        username = f"cadre{n:03d}"
        profiles[username] = _account(
            staff,
            username,
            {
                "name": rng.choice(SURNAMES) + "".join(rng.choice(chars) for _ in range(2)),
                "role": StaffProfile.Role.CADRE,
                "unit": unit,
                "help_unit": units[unit],
                "phone": f"139{rng.randrange(10**8):08d}",
                "township": township,
            },
            password=None,
        )
    return profiles


def _cadre_for(index: int, profiles: dict[str, StaffProfile]) -> StaffProfile:
    """Households 0, 12, 24 … (village 1) go to `cadre`, 1, 13 … (village 2) to `cadre2`."""
    village_slot, serial = index % len(VILLAGES), index // len(VILLAGES)
    if village_slot == 0 and serial < HOUSEHOLDS_PER_CADRE:
        return profiles["cadre"]
    if village_slot == 1 and serial < HOUSEHOLDS_PER_CADRE:
        return profiles["cadre2"]
    n = 3 + index // HOUSEHOLDS_PER_CADRE
    return profiles[f"cadre{n:03d}"]


@transaction.atomic
def seed_demo(*, households: int, today: datetime.date | None = None) -> dict[str, int]:
    """Build the demo county; return how many households were created this run."""
    today = today or datetime.date.today()
    county, township, villages = _places()
    admin = _login("admin", password=DEMO_PASSWORD, superuser=True)
    profiles = _profiles(county, township, villages, 3 + households // HOUSEHOLDS_PER_CADRE, admin)
    _policy_figures(township, villages, profiles, today)

    existing = set(
        Household.objects.filter(village__township=township).values_list("card_number", flat=True)
    )
    used_ids: set[str] = set()
    new: list[tuple[int, DemoHousehold]] = []
    for index in range(households):
        demo = _generate(index, villages[index % len(VILLAGES)], today, used_ids)
        if demo.household["card_number"] not in existing:
            new.append((index, demo))

    write_households(
        new,
        cadre_of=lambda i: _cadre_for(i, profiles),
        start=datetime.date(today.year - 2, 1, 1),
        today=today,
        user_id=profiles["staff"].user_id,
    )
    _targets_and_cases(township, villages, profiles, today)
    return {"created": len(new), "total": len(existing) + len(new)}


def _policy_figures(township, villages, profiles, today: datetime.date) -> None:
    """The yearly figures, entered as the county and the township enter them on the policy
    pages: the poverty lines; for the last three years the exit target and each village's
    rural population, poor-village flag and collective income."""
    from households import policy_data
    from township.models import TownshipYear, VillageYear

    county, staff = profiles["county"].user, profiles["staff"].user
    known = set(PovertyLine.objects.values_list("year", flat=True))
    for year, amount in POVERTY_LINES.items():
        if year not in known:
            policy_data.poverty_line_save(
                user=county,
                year=year,
                amount=Decimal(amount),
                monitoring_line=Decimal(amount) * Decimal("1.5"),
                exit_incidence_threshold=Decimal("3"),
                village_collective_income=Decimal("50000"),
                note="演示数据 demo figure",
            )
    for year in range(today.year - 2, today.year + 1):
        if not TownshipYear.objects.filter(township=township, year=year).exists():
            policy_data.township_year_save(
                user=staff, township=township, year=year, exit_target=60, exit_target_people=190
            )
        kept = set(
            VillageYear.objects.filter(village__in=villages, year=year).values_list(
                "village_id", flat=True
            )
        )
        for i, village in enumerate(villages):
            if village.pk in kept:
                continue
            policy_data.village_year_save(
                user=staff,
                village=village,
                year=year,
                rural_population=1500 + 137 * i,
                is_poor_village=i < POOR_VILLAGES,
                exit_year=None,
                collective_income=Decimal(30000 + 4000 * i - 3000 * (today.year - year)),
            )


def _targets_and_cases(
    township, villages, profiles, today: datetime.date, *, exits: int = 14, sweep: bool = True
) -> None:
    """Exits under way, this year's exits, monitoring (the county-wide sweep that opens its
    cases left to the caller when not ``sweep``)."""
    from households.models import Hardship, MonitoringCase, WorkflowCase
    from households.monitoring import monitoring_refresh

    staff = profiles["staff"].user
    if not WorkflowCase.objects.filter(household__village__township=township).exists():
        from django.core.exceptions import PermissionDenied, ValidationError

        from households.workflows import workflow_start

        poor = Household.objects.filter(village__township=township, status=Household.Status.POOR)
        for household in poor.order_by("pk")[:10]:
            # Through the workflow's own door: an ineligible household needs a leader's reason.
            try:
                workflow_start(
                    household=household, kind=WorkflowCase.Kind.EXIT, user=profiles["team"].user
                )
            except (ValidationError, PermissionDenied):
                workflow_start(
                    household=household,
                    kind=WorkflowCase.Kind.EXIT,
                    user=profiles["leader"].user,
                    override_reason="演示：收入已达标，其他条件正在落实",
                )
    _exits_this_year(township, profiles, today, exits)
    if not MonitoringCase.objects.filter(household__village__township=township).exists():
        exited = Household.objects.filter(
            village__township=township, status=Household.Status.EXITED
        ).order_by("pk")
        for household in exited[:3]:
            Hardship.objects.create(
                household=household,
                kind=Hardship.Kind.ILLNESS,
                recorded_by=staff,
                occurred_on=today - datetime.timedelta(days=20),
                note="户主突发重病住院",
            )
        if sweep:
            monitoring_refresh(today=today)


def _lift(household: Household, user, today: datetime.date) -> None:
    """The year's assistance at work: income above the line, food, clothing, housing and
    water secured, every member insured and every school-age child in school."""
    from households.policy.criteria import SCHOOL_AGES, school_year_start
    from households.services import income_save

    line = PovertyLine.objects.get(year=today.year).amount
    income = household.incomes.filter(year=today.year).first()
    if income is not None:
        wanted = (line * Decimal("1.25") * income.members_count).quantize(Decimal("0.01"))
        missing = max(wanted - income.net_income, Decimal("0"))
        income_save(
            user=user,
            household=household,
            income=income,
            fields={"wage_income": income.wage_income + missing},
        )
    household.no_worry_food = household.no_worry_clothing = household.water_safe = True
    household.housing = Household.Housing.SAFE
    household._history_user = user
    household.save()
    school_day = school_year_start(today)
    for member in household.members.filter(is_active=True):
        member.medical_insurance = True
        if member.age_on(school_day) in SCHOOL_AGES:
            member.schooling = Member.Schooling.PRIMARY
        member._history_user = user
        member.save()


def _exits_this_year(township, profiles, today: datetime.date, count: int) -> None:
    """This year's exits, so the dashboard, the lists and the exit report have some to show.

    A notice's period follows the server's clock and cannot be backdated, so the demo cannot
    walk cases through past days: the exits already decided this year are entered from the
    township's records (with the criteria of their day, as the card's form enters them),
    and the rest are exit cases under way today, their notice on the village board.
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from households.models import StatusChange, WorkflowCase
    from households.services import exit_evidence, status_change_record
    from households.workflows import workflow_advance, workflow_start

    year_start = datetime.date(today.year, 1, 1)
    if (
        StatusChange.objects.exits()
        .filter(household__village__township=township, effective_on__gte=year_start)
        .exists()
    ):
        return
    latest = today - datetime.timedelta(days=20)
    if latest < datetime.date(today.year, 3, 1):
        return  # too early in the year for a case to have run its course
    candidates = (
        Household.objects.filter(village__township=township, status=Household.Status.POOR)
        .exclude(workflow_cases__status=WorkflowCase.Status.OPEN)
        .order_by("-pk")[:count]
    )
    span = (latest - datetime.date(today.year, 3, 1)).days
    team, staff = profiles["team"].user, profiles["staff"].user
    leader = profiles["leader"].user
    for n, household in enumerate(candidates):
        if n % 4:  # three in four reached every criterion with the year's help
            _lift(household, staff, today)
            day = datetime.date(today.year, 3, 1) + datetime.timedelta(days=span * n // count)
            evidence, people = exit_evidence(household, day=day)
            status_change_record(
                household=household,
                status=Household.Status.EXITED,
                effective_on=day,
                source=StatusChange.Source.CARD,
                user=staff,
                evidence=evidence,
                people=people,
                note="本年度已批准脱贫，据乡镇纸质档案录入（演示）",
            )
            continue
        try:
            case = workflow_start(household=household, kind=WorkflowCase.Kind.EXIT, user=team)
        except (ValidationError, PermissionDenied):
            case = workflow_start(
                household=household,
                kind=WorkflowCase.Kind.EXIT,
                user=leader,
                override_reason="演示：收入已达标，住房改造年内完成",
            )
        workflow_advance(case=case, user=team, comment="村两委和工作队评估")
        workflow_advance(
            case=case,
            user=team,
            data={"date": today, "attendance": "村民代表32人", "result": "pass"},
        )
        workflow_advance(case=case, user=team, comment="公示已张贴在村务公开栏")


FINDINGS = [
    "家中情况稳定，生产生活正常",
    "了解家庭收入和务工情况",
    "宣讲帮扶政策，核对收入台账",
    "查看住房和饮水情况",
    "了解孩子上学情况",
    "老人身体有所好转",
]
HELP = ["", "送去米油", "协助办理医保报销", "联系技术员指导养殖", "介绍务工岗位"]


def write_households(
    new: list[tuple[int, DemoHousehold]],
    *,
    cadre_of,
    start: datetime.date,
    today: datetime.date,
    user_id: int,
) -> None:
    """Write generated households with their members, causes, incomes, status facts, the
    pairing with ``cadre_of(index)`` from ``start``, and this year's visits by that cadre:
    some households well visited, some not. The card's last visit is kept on it."""
    writer = RowWriter(reason="seed_demo", user_id=user_id)
    household_ids = writer.ids(Household, len(new))
    ids = iter(household_ids)
    counts = {
        Member: sum(len(d.members) for _, d in new),
        HouseholdCause: sum(len(d.causes) for _, d in new),
        HouseholdIncome: sum(len(d.incomes) for _, d in new),
    }
    child_ids = {model: iter(writer.ids(model, n)) for model, n in counts.items()}
    facts, visits, pairings = [], [], []
    for index, demo in new:
        household_id = next(ids)
        for model, rows in (
            (Member, demo.members),
            (HouseholdCause, demo.causes),
            (HouseholdIncome, demo.incomes),
        ):
            for row in rows:
                writer.add(
                    model, {**row, "id": next(child_ids[model]), "household_id": household_id}
                )
        for fact in _status_facts(index, demo.household, today):
            facts.append({**fact, "household_id": household_id, "recorded_by_id": user_id})
        cadre = cadre_of(index)
        pairings.append(
            {
                "household_id": household_id,
                "cadre_id": cadre.pk,
                "start_date": start,
                "reason": "结对帮扶",
            }
        )
        rng = random.Random(SEED * 7 + index)
        days = [
            datetime.date(today.year, 1, 1)
            + datetime.timedelta(days=rng.randrange(max(today.timetuple().tm_yday, 1)))
            for _ in range(rng.choice([0, 2, 4, 6, 8, 10]))
        ]
        for day in days:
            visits.append(
                {
                    "household_id": household_id,
                    "village_id": demo.household["village_id"],
                    "visitor_id": cadre.user_id,
                    "visited_on": day,
                    "kind": rng.choice(list(Visit.Kind)),
                    "findings": rng.choice(FINDINGS),
                    "help_given": rng.choice(HELP),
                    "follow_up": "修缮厨房漏雨" if rng.random() < 0.1 else "",
                }
            )
        writer.add(
            Household,
            {**demo.household, "id": household_id, "last_visit_on": max(days, default=None)},
        )
    for model, rows in ((StatusChange, facts), (Pairing, pairings), (Visit, visits)):
        for row, pk in zip(rows, writer.ids(model, len(rows)), strict=True):
            writer.add(model, {**row, "id": pk})
    writer.flush()
    household_member_facts_refresh(household_ids=household_ids)
    household_cadres_refresh(household_ids=household_ids)
