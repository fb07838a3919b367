"""A county-scale demo: the demo township and 19 more, each with 12 villages, for measuring.

``seed_county(households=50_000)`` builds the demo township as ``seed_demo`` does (its
logins, cases and monitored households), then the other townships with bulk writes: their
households, members, three years of income, status facts, a year of visits, cadres (in their
own township, paired with 12 households each) and per township a leader, staff and a work
team (``t07staff`` …, password ``bangfu-demo``), and each township's assistance. The
townships are independent of each other, so several processes write them side by side.
Deterministic and idempotent, like the demo: household *i* of township *t* is always the
same, whichever process writes it and when.
"""

import datetime
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connections, transaction
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
from households.monitoring import monitoring_refresh
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


def _generated(index, villages, households: int, today, used: set[str], existing: set[str]):
    """Township ``index``'s households that are not yet written, generated in order: the ID
    numbers already given (``used``) are the earlier townships', whatever writes them."""
    new = []
    for i in range(households):
        village = villages[i % len(villages)]
        demo = _generate(index * 1_000_000 + i, village, today, used)
        demo.household["card_number"] = f"{village.code}{i // len(villages) + 1:04d}"
        if demo.household["card_number"] not in existing:
            new.append((index * 1_000_000 + i, demo))
    return new


def _seed_township(
    index, county, township, villages, households: int, new, today: datetime.date
) -> int:
    """Write township ``index``: its people, the ``new`` households, its figures, cases and
    assistance, in one transaction. Touches no other township's rows, so townships can be
    written side by side, each in its own process."""
    from assistance.demo import seed_assistance

    with transaction.atomic():
        people = _people(index, township, villages, county, households)
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
        _targets_and_cases(township, villages, roles, today, exits=5, sweep=False)
        seed_assistance(
            today=today,
            township_code=township.code,
            username=people["staff"].user.username,
            household_allocations=20,
            loans=10,
        )
    return len(new)


def seed_county(
    *,
    households: int = 50_000,
    today: datetime.date | None = None,
    workers: int = 1,
    townships: int = TOWNSHIPS,
) -> dict:
    """The demo township and the others (``townships`` in all, 20 by default), with
    ``households`` spread evenly. The demo township's households come first; its assistance
    and the other townships are written by ``workers`` processes side by side (PostgreSQL
    only), with the same rows whatever their number."""
    from assistance.demo import seed_assistance
    from assistance.demo_registers import seed_shared_policy

    today = today or datetime.date.today()
    per_township = households // townships
    created = seed_demo(households=per_township, today=today)["created"]
    county = County.objects.get(code=COUNTY[1])
    seed_shared_policy(county, today)  # written once, before the townships read it
    places = [_township(index, county) for index in range(1, townships)]
    existing = set(
        Household.objects.filter(village__township__in=[t for t, _ in places]).values_list(
            "card_number", flat=True
        )
    )
    used = set(
        Member.objects.filter(id_number__startswith="520399").values_list("id_number", flat=True)
    )

    def jobs():  # generated here, in order, while the processes write the earlier ones
        for index, (township, villages) in enumerate(places, start=1):
            new = _generated(index, villages, per_township, today, used, existing)
            yield index, county, township, villages, per_township, new, today

    if workers > 1:
        if connections["default"].in_atomic_block:
            raise RuntimeError("Townships written side by side must see what was committed.")
        connections.close_all()  # each process opens its own
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            first = pool.submit(seed_assistance, today=today)
            futures = [pool.submit(_seed_township, *job) for job in jobs()]
            created += sum(future.result() for future in futures)
            first.result()
    else:
        seed_assistance(today=today)
        created += sum(_seed_township(*job) for job in jobs())
    monitoring_refresh(today=today)  # one sweep of the county, not one per township
    return {"created": created, "total": Household.objects.count()}
