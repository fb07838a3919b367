"""A county-scale demo: the demo township and 19 more, each with 12 villages, for measuring.

``seed_county(households=50_000)`` builds the demo township as ``seed_demo`` does (its
logins, cases and monitored households), then the other townships with bulk writes: their
households, members, three years of income, status facts, a year of visits, cadres (in their
own township, paired with 12 households each) and per township a leader, staff and a work
team (``t07staff`` …, password ``bangfu-demo``). Deterministic and idempotent, like the
demo: household *i* of township *t* is always the same.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from households.demo import (
    CADRE_UNITS,
    COUNTY,
    FEMALE_CHARS,
    HOUSEHOLDS_PER_CADRE,
    MALE_CHARS,
    SEED,
    SURNAMES,
    TOWNSHIP,
    VILLAGES,
    _generate,
    _help_units,
    _policy_figures,
    _targets_and_cases,
    demo_password_hash,
    seed_demo,
    write_households,
)
from households.models import Household, Member
from households.services import household_cadres_refresh, household_member_facts_refresh
from township.models import County, StaffProfile, Township, Village

TOWNSHIPS = 20
TOWNSHIP_NAMES = [
    "新田镇",
    "青龙镇",
    "白云乡",
    "石桥镇",
    "红岩乡",
    "金坪镇",
    "柳溪乡",
    "马场镇",
    "花园乡",
    "龙滩镇",
    "梅子乡",
    "黄泥镇",
    "松坎乡",
    "木瓜镇",
    "茶园乡",
    "高坪镇",
    "双河乡",
    "水口镇",
    "观音乡",
    "太平镇",
]
BATCH = 5000


def _township(index: int, county: County) -> tuple[Township, list[Village]]:
    code = f"{TOWNSHIP[1][:6]}{100 + index:03d}000"
    township, _ = Township.objects.get_or_create(
        code=code, defaults={"name": TOWNSHIP_NAMES[index], "county": county}
    )
    villages = []
    for i, name in enumerate(VILLAGES):
        village, _ = Village.objects.get_or_create(
            code=f"{code[:9]}{201 + i:03d}", defaults={"name": name, "township": township}
        )
        villages.append(village)
    return township, villages


def _people(index: int, township, villages, county, households: int) -> dict:
    """The township's leader, staff, work team and cadres, created in bulk."""
    User = get_user_model()
    prefix = f"t{index:02d}"
    units = _help_units(county, villages, User.objects.get(username="admin"))
    wanted = {
        f"{prefix}leader": ("领导", StaffProfile.Role.LEADER, {"township": township}),
        f"{prefix}staff": ("干事", StaffProfile.Role.TOWNSHIP_STAFF, {"township": township}),
        f"{prefix}team": ("第一书记", StaffProfile.Role.VILLAGE_TEAM, {"village": villages[0]}),
    }
    for n in range(households // HOUSEHOLDS_PER_CADRE + 1):
        wanted[f"{prefix}cadre{n:04d}"] = (None, StaffProfile.Role.CADRE, {"township": township})
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    password, unusable = demo_password_hash(), make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=name,
                password=unusable if role == StaffProfile.Role.CADRE else password,
            )
            for name, (_, role, _place) in wanted.items()
            if name not in existing
        ],
        batch_size=BATCH,
    )
    users = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    with_profile = set(
        StaffProfile.objects.filter(user_id__in=users.values()).values_list("user_id", flat=True)
    )
    profiles = []
    for name, (title, role, place) in wanted.items():
        if users[name] in with_profile:
            continue
        rng = random.Random(f"{SEED}-{name}")
        chars = MALE_CHARS if rng.random() < 0.6 else FEMALE_CHARS
        unit = rng.choice(CADRE_UNITS)
        profiles.append(
            StaffProfile(
                user_id=users[name],
                name=rng.choice(SURNAMES) + "".join(rng.choice(chars) for _ in range(2)),
                role=role,
                title=title or "",
                unit=unit if role == StaffProfile.Role.CADRE else township.name,
                help_unit=units[unit] if role == StaffProfile.Role.CADRE else None,
                phone=f"139{rng.randrange(10**8):08d}",
                **place,
            )
        )
    bulk_create_with_history(
        profiles, StaffProfile, batch_size=BATCH, default_change_reason="seed_demo"
    )
    by_name = {
        p.user.username: p
        for p in StaffProfile.objects.filter(user_id__in=users.values()).select_related("user")
    }
    return {
        "staff": by_name[f"{prefix}staff"],
        "leader": by_name[f"{prefix}leader"],
        "team": by_name[f"{prefix}team"],
        "cadres": [by_name[f"{prefix}cadre{n:04d}"] for n in range(len(wanted) - 3)],
    }


def _seed_township(index, county, households: int, today: datetime.date) -> int:
    township, villages = _township(index, county)
    people = _people(index, township, villages, county, households)
    existing = set(
        Household.objects.filter(village__township=township).values_list("card_number", flat=True)
    )
    used: set[str] = set(
        Member.objects.filter(id_number__startswith="520399").values_list("id_number", flat=True)
    )
    new = []
    for i in range(households):
        village = villages[i % len(villages)]
        demo = _generate(index * 1_000_000 + i, village, today, used)
        demo.household["card_number"] = f"{village.code}{i // len(villages) + 1:04d}"
        if demo.household["card_number"] not in existing:
            new.append((index * 1_000_000 + i, demo))
    cadres = people["cadres"]
    write_households(
        new,
        cadre_of=lambda n: cadres[(n % 1_000_000) // HOUSEHOLDS_PER_CADRE],
        start=datetime.date(today.year - 2, 1, 1),
        today=today,
        user_id=people["staff"].user_id,
    )
    roles = {
        "staff": people["staff"],
        "team": people["team"],
        "leader": people["leader"],
        "county": StaffProfile.objects.filter(role=StaffProfile.Role.COUNTY_ADMIN).first(),
    }
    _policy_figures(township, villages, roles, today)
    _targets_and_cases(township, villages, roles, today, exits=5)
    return len(new)


def seed_county(*, households: int = 50_000, today: datetime.date | None = None) -> dict:
    """The demo township and 19 more, ``households`` in all, spread evenly."""
    from assistance.demo import seed_assistance

    today = today or datetime.date.today()
    per_township = households // TOWNSHIPS
    created = seed_demo(households=per_township, today=today)["created"]
    seed_assistance(today=today)
    county = County.objects.get(code=COUNTY[1])
    for index in range(1, TOWNSHIPS):
        with transaction.atomic():
            created += _seed_township(index, county, per_township, today)
            seed_assistance(
                today=today,
                township_code=f"{TOWNSHIP[1][:6]}{100 + index:03d}000",
                username=f"t{index:02d}staff",
                household_allocations=20,
                loans=10,
            )
    household_member_facts_refresh()
    household_cadres_refresh()
    return {"created": created, "total": Household.objects.count()}
