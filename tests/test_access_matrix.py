"""The access matrix: every URL pattern of the project, requested as every role.

Each pattern must have an entry here, or `test_every_url_pattern_has_an_entry` fails: a new
page cannot escape the scoping checks. For each entry and role, inside and outside the
role's scope: out of scope answers 404, anonymous visitors go to the login page, and no
request answers 500 (the test client re-raises server errors).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from assistance import village_services
from assistance.models import (
    Delivery,
    DividendContract,
    Enterprise,
    HealthRelief,
    HousingRenovation,
    LibraryEntry,
    MutualAidFund,
    ProjectDocument,
    RainDewStudent,
    TrainingSession,
    VillagePlan,
)
from households.models import ImportJob, MonitoringCase
from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "nobody", "county", "leader", "staff", "team", "cadre", "cadre2", "superuser"]


@dataclass(frozen=True)
class Entry:
    """How a URL pattern is reached.

    access: "public" (anyone), "anonymous" (a logged-in user is sent home), "login" (any
    logged-in user; the page shows only the scope), "scoped" (an object of kind `obj`, 404
    outside the user's scope), "post" (state change: GET refused).
    perm: a role check on top of the scope ("edit": keeps archive cards, "visit": logs
    visits); a user without it gets 403 inside the scope.
    """

    access: str
    obj: str | None = None
    perm: str | None = None
    extra_args: tuple = ()
    post: bool = False  # a state change: GET is refused, the checks are made with POST
    # Starts background work (an export): answers with a redirect to the run's page, which
    # the user then sees.
    job: bool = False


MATRIX: dict[str, Entry] = {
    "home": Entry("login"),
    "healthz": Entry("public"),
    "service_worker": Entry("public"),
    "login": Entry("anonymous"),
    "logout": Entry("post"),
    "password_change": Entry("login"),
    "password_change_done": Entry("login"),
    "set_language": Entry("post"),
    "households:list": Entry("login"),
    "households:mine": Entry("login"),
    "households:visit_list": Entry("login"),
    "households:cadre_options": Entry("login"),
    "households:visitor_options": Entry("login"),
    "households:create": Entry("login", perm="edit"),
    "households:find_by_id": Entry("post"),
    "households:detail": Entry("scoped", obj="household"),
    "households:edit": Entry("scoped", obj="household", perm="edit"),
    "households:exit_date": Entry("scoped", obj="household", perm="edit", post=True),
    "households:income_create": Entry("scoped", obj="household", perm="edit"),
    "households:income_edit": Entry("scoped", obj="household", perm="edit", extra_args=(2025,)),
    "households:visits": Entry("scoped", obj="household"),
    "households:history": Entry("scoped", obj="household"),
    "households:registers": Entry("scoped", obj="household"),
    "households:card_monitoring": Entry("scoped", obj="household"),
    "households:visit_create": Entry("scoped", obj="household", perm="visit"),
    "households:photo": Entry("scoped", obj="photo"),
    "households:visit_photos_add": Entry("scoped", obj="visit", perm="visit"),
    "households:workflow_start": Entry("scoped", obj="household", post=True, extra_args=("exit",)),
    "households:workflow_advance": Entry("scoped", obj="case", perm="workflow", post=True),
    "households:workflow_reject": Entry("scoped", obj="case", perm="workflow", post=True),
    "households:notice_correct": Entry("scoped", obj="case", perm="notice", post=True),
    "households:objection_record": Entry("scoped", obj="case", perm="notice", post=True),
    "households:objection_resolve": Entry("scoped", obj="objection", perm="notice", post=True),
    "households:removal_propose": Entry("scoped", obj="household", perm="propose", post=True),
    "households:removal_decide": Entry("scoped", obj="removal", perm="county", post=True),
    "households:return_propose": Entry("scoped", obj="monitoring", perm="returns", post=True),
    "households:return_decide": Entry("scoped", obj="monitoring", perm="county", post=True),
    "villages:bulk_review": Entry("scoped", obj="village", perm="township_staff", post=True),
    "households:monitoring": Entry("login"),
    "households:monitoring_advance": Entry(
        "scoped", obj="monitoring", perm="monitoring", post=True
    ),
    "households:hardship_record": Entry("scoped", obj="household", perm="visit", post=True),
    "households:monitoring_open": Entry("scoped", obj="household", perm="monitor_open", post=True),
    "households:imports": Entry("login", perm="edit"),
    "households:import_template": Entry("login"),
    "households:import": Entry("scoped", obj="import"),
    "households:import_apply": Entry("scoped", obj="import", post=True),
    "villages:list": Entry("login"),
    "villages:exit": Entry("login"),
    "villages:register": Entry("scoped", obj="village"),
    "assistance:workload": Entry("login", perm="manage"),
    "assistance:pair": Entry("scoped", obj="household", perm="manage"),
    "assistance:reassign": Entry("scoped", obj="cadre", perm="manage"),
    "assistance:measures": Entry("login"),
    "assistance:measure_create": Entry("login", perm="county"),
    "assistance:measure_edit": Entry("scoped", obj="measure", perm="county"),
    "assistance:plan_create": Entry("scoped", obj="household", perm="plans"),
    "assistance:plan": Entry("scoped", obj="plan"),
    "assistance:item_create": Entry("scoped", obj="plan", perm="plans"),
    "assistance:item_deliver": Entry("scoped", obj="item", perm="plans"),
    "assistance:item_cancel": Entry("scoped", obj="item", perm="plans"),
    "assistance:evidence": Entry("scoped", obj="delivery"),
    "assistance:projects": Entry("login"),
    "assistance:project_create": Entry("login", perm="manage"),
    "assistance:project": Entry("scoped", obj="project"),
    "assistance:project_advance": Entry("scoped", obj="project", perm="manage", post=True),
    "assistance:beneficiary_add": Entry("scoped", obj="project", perm="manage"),
    "assistance:project_notice": Entry("scoped", obj="project"),
    "assistance:funds": Entry("login"),
    "assistance:fund_create": Entry("login", perm="manage"),
    "assistance:fund": Entry("scoped", obj="fund"),
    "assistance:entry_create": Entry("scoped", obj="fund", perm="manage"),
    "assistance:entry_item_options": Entry("scoped", obj="fund", perm="manage"),
    "assistance:fund_notice": Entry("scoped", obj="fund"),
    "assistance:entry_reverse": Entry("scoped", obj="entry", perm="manage"),
    "assistance:loans": Entry("login"),
    "assistance:loan_create": Entry("login", perm="manage"),
    "assistance:loan": Entry("scoped", obj="loan"),
    "assistance:repayment_paid": Entry("scoped", obj="loan", perm="manage", post=True),
    "assistance:loan_notice": Entry("scoped", obj="village"),
    "reporting:list": Entry("login", perm="reports"),
    "reporting:run": Entry("scoped", obj="run"),
    "reporting:download": Entry("scoped", obj="run"),
    "reporting:retry": Entry("scoped", obj="run", post=True),
    "reporting:card_pdf": Entry("scoped", obj="household", post=True),
    "reporting:project_notice_pdf": Entry("scoped", obj="project", post=True),
    "reporting:fund_notice_pdf": Entry("scoped", obj="fund", post=True),
    "reporting:export_households": Entry("login", job=True),
    "reporting:export_plans": Entry("login", job=True),
    "reporting:export_register": Entry("scoped", obj="village", job=True),
    "reporting:export_ledger": Entry("scoped", obj="fund", job=True),
    "people:list": Entry("login", perm="people"),
    "people:create": Entry("login", perm="accounts"),
    "people:detail": Entry("scoped", obj="account"),
    "people:edit": Entry("scoped", obj="account", perm="accounts"),
    "people:password_reset": Entry("scoped", obj="account", perm="accounts", post=True),
    "people:active": Entry("scoped", obj="account", perm="accounts", post=True),
    "policy:index": Entry("login", perm="people"),
    "policy:line": Entry("login", perm="county"),
    "policy:criterion_add": Entry("login", perm="county", post=True),
    "policy:township": Entry("scoped", obj="township", perm="accounts"),
    "policy:start": Entry("login", perm="accounts"),
    "units:list": Entry("login"),
    "units:create": Entry("login", perm="county"),
    "units:detail": Entry("scoped", obj="unit"),
    "units:edit": Entry("scoped", obj="unit", perm="county"),
    "units:report": Entry("scoped", obj="unit", perm="people", post=True),
    "reporting:export_renovations": Entry("login", job=True),
    "reporting:export_students": Entry("login", job=True),
    "reporting:export_reliefs": Entry("login", job=True),
    "reporting:export_trainings": Entry("login", job=True),
    "reporting:export_dividends": Entry("login", job=True),
    "reporting:assessment": Entry("login", perm="assess"),
    "assistance:loan_allocate": Entry("scoped", obj="loan", perm="manage"),
    "assistance:loan_subsidise": Entry("scoped", obj="loan", perm="manage"),
    "assistance:loan_compensate": Entry("scoped", obj="loan", perm="manage"),
    "assistance:loan_write_off": Entry("scoped", obj="loan", perm="manage"),
    "assistance:project_document_add": Entry("scoped", obj="project", perm="manage"),
    "assistance:project_document": Entry("scoped", obj="document"),
    "assistance:project_evaluation_add": Entry("scoped", obj="project", perm="manage"),
    "registers:renovations": Entry("login"),
    "registers:renovation_create": Entry("login", perm="manage"),
    "registers:renovation": Entry("scoped", obj="renovation"),
    "registers:renovation_start": Entry("scoped", obj="renovation", perm="manage"),
    "registers:renovation_accept": Entry("scoped", obj="renovation", perm="manage"),
    "registers:students": Entry("login"),
    "registers:student_create": Entry("login", perm="manage"),
    "registers:student": Entry("scoped", obj="student"),
    "registers:reliefs": Entry("login"),
    "registers:relief_create": Entry("login", perm="manage"),
    "registers:relief": Entry("scoped", obj="relief"),
    "registers:trainings": Entry("login"),
    "registers:training_create": Entry("login", perm="manage"),
    "registers:training": Entry("scoped", obj="training"),
    "registers:attendance_add": Entry("scoped", obj="training", perm="manage"),
    "registers:enterprises": Entry("login"),
    "registers:enterprise_create": Entry("login", perm="manage"),
    "registers:enterprise": Entry("scoped", obj="enterprise"),
    "registers:contract_create": Entry("scoped", obj="enterprise", perm="manage"),
    "registers:contract": Entry("scoped", obj="contract"),
    "registers:dividend_pay": Entry("scoped", obj="contract", perm="manage"),
    "registers:item_allocate": Entry("scoped", obj="item", perm="manage"),
    "registers:item_pay": Entry("scoped", obj="item", perm="manage"),
    "registers:item_options": Entry("login", perm="manage", extra_args=("renovation",)),
    "villagework:plan": Entry("scoped", obj="village"),
    "villagework:plan_edit": Entry("scoped", obj="village", perm="keep"),
    "villagework:library_add": Entry("scoped", obj="village_plan", perm="keep"),
    "villagework:library_promote": Entry("scoped", obj="library", perm="manage"),
    "villagework:mutual_aid": Entry("scoped", obj="village"),
    "villagework:mutual_aid_setup": Entry("scoped", obj="village", perm="keep"),
    "villagework:mutual_aid_member": Entry("scoped", obj="mutual_fund", perm="keep"),
    "villagework:mutual_aid_entry": Entry("scoped", obj="mutual_fund", perm="keep"),
    "villagework:mutual_aid_reverse": Entry("scoped", obj="mutual_entry", perm="keep"),
    "villagework:attendance": Entry("scoped", obj="village"),
    "villagework:attendance_log": Entry("scoped", obj="village", perm="keep", post=True),
}
PERMS = {
    "edit": {"county", "staff", "team", "superuser"},
    "visit": {"cadre", "cadre2", "team", "staff", "superuser"},
    "plans": {"cadre", "cadre2", "team", "staff", "county", "superuser"},
    "manage": {"county", "staff", "superuser"},
    "workflow": {"team", "cadre", "cadre2", "superuser"},
    "monitoring": {"team", "cadre", "cadre2", "superuser"},
    "monitor_open": {"staff", "team", "county", "superuser"},
    "township_staff": {"staff", "superuser"},
    "reports": {"county", "leader", "staff", "team", "cadre", "cadre2", "superuser"},
    "notice": {"team", "staff", "superuser"},
    "propose": {"team", "staff", "superuser"},
    "county": {"county", "superuser"},
    "returns": {"team", "staff", "cadre", "cadre2", "superuser"},
    "people": {"county", "leader", "staff", "superuser"},
    "accounts": {"county", "staff", "superuser"},
    "assess": {"county", "leader", "staff", "superuser"},
    "keep": {"county", "staff", "team", "superuser"},
}
ADMIN_NAMESPACE = "admin"


def pattern_names(patterns=None, namespace: str = "") -> list[str]:
    """Every URL pattern of the URL configuration, named `namespace:name`."""
    names = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            names += pattern_names(p.url_patterns, inner)
        elif isinstance(p, URLPattern):
            names.append(f"{namespace}{p.name}" if p.name else f"{namespace}<unnamed {p.pattern}>")
    return names


def unlisted(names: list[str]) -> list[str]:
    return [n for n in names if n not in MATRIX and not n.startswith(f"{ADMIN_NAMESPACE}:")]


def test_every_url_pattern_has_an_entry():
    assert unlisted(pattern_names()) == []


def test_a_new_pattern_without_an_entry_is_caught(settings):
    settings.ROOT_URLCONF = "tests.urls_with_unlisted_page"
    assert unlisted(pattern_names()) == ["households:secret"]


def test_every_entry_names_a_real_pattern():
    assert set(MATRIX) <= set(pattern_names())


def _user(world, role):
    if role == "anonymous":
        return None
    if role == "nobody":
        return world.nobody
    if role == "superuser":
        return world.superuser
    return getattr(world.profiles, role).user


# For each role: a household inside its scope, and one outside it (None: there is none).
HOUSEHOLDS = {
    "anonymous": ("own", None),
    "nobody": (None, "own"),
    "county": ("neighbour", "outsider"),
    "leader": ("neighbour", "outsider"),
    "staff": ("own", "outsider"),
    "team": ("colleague", "neighbour"),
    "cadre": ("own", "colleague"),
    "cadre2": ("neighbour", "own"),
    "superuser": ("outsider", None),
}


# For each role: a village inside its scope, and one outside it.
VILLAGES = {
    "anonymous": ("a1", None),
    "nobody": (None, "a1"),
    "county": ("a2", "b1"),
    "leader": ("a2", "b1"),
    "staff": ("a1", "b1"),
    "team": ("a1", "a2"),
    "cadre": ("a1", "a2"),
    "cadre2": ("a2", "b1"),
    "superuser": ("b1", None),
}


# Projects: `a` in village A1, `a2` in village A2, `b` in the other county.
PROJECTS = {
    "anonymous": ("a", None),
    "nobody": (None, "a"),
    "county": ("a2", "b"),
    "leader": ("a", "b"),
    "staff": ("a2", "b"),
    "team": ("a", "a2"),
    "cadre": ("a", "a2"),
    "cadre2": ("a2", "b"),
    "superuser": ("b", None),
}
# Funds (and their entries) are kept by townships: village teams and cadres see none.
FUNDS = {
    "anonymous": ("a", None),
    "nobody": (None, "a"),
    "county": ("a", "b"),
    "leader": ("a", "b"),
    "staff": ("a", "b"),
    "team": (None, "a"),
    "cadre": (None, "a"),
    "cadre2": (None, "a"),
    "superuser": ("b", None),
}
# Cadres a user may reassign: those of their township or paired in their scope.
CADRES = {
    "anonymous": ("cadre", None),
    "nobody": (None, "cadre"),
    "county": ("cadre2", "cadre_b"),
    "leader": ("cadre", "cadre_b"),
    "staff": ("cadre2", "cadre_b"),
    "team": ("cadre", "cadre_b"),
    "cadre": ("cadre", "cadre_b"),
    "cadre2": ("cadre2", "cadre_b"),
    "superuser": ("cadre_b", None),
}
# Report runs: of township A, of village A1, of each cadre's households, of township B.
RUNS = {
    "anonymous": ("a", None),
    "nobody": (None, "a"),
    "county": ("a1", "b"),
    "leader": ("a", "b"),
    "staff": ("cadre", "b"),
    "team": ("a1", "a"),
    "cadre": ("cadre", "cadre2"),
    "cadre2": ("cadre2", "a"),
    "superuser": ("b", None),
}
# Imports are seen by who uploaded them: `staff` uploaded one, `county` another.
IMPORTS = {
    "anonymous": ("staff", None),
    "nobody": (None, "staff"),
    "county": ("county", "staff"),
    "leader": (None, "staff"),
    "staff": ("staff", "county"),
    "team": (None, "staff"),
    "cadre": (None, "staff"),
    "cadre2": (None, "staff"),
    "superuser": ("staff", None),
}
# People a user may see: county, leaders and staff those of their area; others themselves.
ACCOUNTS = {
    "anonymous": ("cadre", None),
    "nobody": (None, "cadre"),
    "county": ("cadre", "cadre_b"),
    "leader": ("cadre", "cadre_b"),
    "staff": ("cadre", "cadre_b"),
    "team": ("team", "cadre"),
    "cadre": ("cadre", "cadre2"),
    "cadre2": ("cadre2", "cadre"),
    "superuser": ("cadre_b", None),
}
# Help units: `a` of county A (answers for village A1, `cadre` belongs to it), `b` of B.
UNITS = {
    "anonymous": ("a", None),
    "nobody": (None, "a"),
    "county": ("a", "b"),
    "leader": ("a", "b"),
    "staff": ("a", "b"),
    "team": ("a", "b"),
    "cadre": ("a", "b"),
    "cadre2": (None, "a"),
    "superuser": ("b", None),
}
# Townships: A, and B of the other county (a team or cadre sees the townships of its data).
TOWNSHIPS = {
    "anonymous": ("a", None),
    "nobody": (None, "a"),
    "county": ("a", "b"),
    "leader": ("a", "b"),
    "staff": ("a", "b"),
    "team": ("a", "b"),
    "cadre": ("a", "b"),
    "cadre2": ("a", "b"),
    "superuser": ("b", None),
}
# The measure catalogue is one for the deployment: every role reaches each kind.
MEASURES = dict.fromkeys(ROLES, ("industry", None))
MAPS = {
    "measure": MEASURES,
    "township": TOWNSHIPS,
    "account": ACCOUNTS,
    "unit": UNITS,
    "import": IMPORTS,
    "run": RUNS,
    "village": VILLAGES,
    "village_plan": VILLAGES,
    "library": VILLAGES,
    "mutual_fund": VILLAGES,
    "mutual_entry": VILLAGES,
    "training": VILLAGES,
    "project": PROJECTS,
    "document": PROJECTS,
    "fund": FUNDS,
    "entry": FUNDS,
    "cadre": CADRES,
}


def _units(world):
    from township.models import HelpUnit

    a, _ = HelpUnit.objects.get_or_create(county=world.counties[0], name="县公安局")
    a.villages.set([world.villages.a1])
    world.profiles.cadre.help_unit = a
    world.profiles.cadre.save()
    b, _ = HelpUnit.objects.get_or_create(county=world.counties[1], name="白水县教育局")
    return {"a": a, "b": b}


def _object(world, kind, name):
    if kind == "unit":
        return _units(world)[name]
    if kind == "measure":
        return f.MeasureKindFactory(code=name)
    if kind == "township":
        return world.township if name == "a" else world.other_township
    if kind == "account":
        return getattr(world.profiles, name)
    if kind == "village":
        return getattr(world.villages, name)
    if kind in REGISTER_OBJECTS:  # made once a test: several pages show the same record
        made = world.__dict__.setdefault("register_objects", {})
        if (kind, name) not in made:
            made[(kind, name)] = REGISTER_OBJECTS[kind](world, name)
        return made[(kind, name)]
    if kind == "project":
        return getattr(world.projects, name)
    if kind == "fund":
        return getattr(world.funds, name)
    if kind == "entry":
        return getattr(world.funds, name).receipt
    if kind == "cadre":
        return getattr(world.profiles, name)
    if kind == "run":
        return getattr(world.runs, name)
    if kind == "import":
        return ImportJob.objects.create(
            filename="roster.xlsx",
            file="imports/roster.xlsx",
            created_by=getattr(world.profiles, name).user,
        )
    household = getattr(world.households, name)
    if kind == "photo":
        return f.VisitPhotoFactory(visit__household=household)
    if kind == "removal":
        from households.models import Removal

        return Removal.objects.create(
            household=household,
            reason="moved_away",
            explanation="全户迁往外省",
            proposed_by=world.profiles.staff.user,
            proposed_on=datetime.date(2025, 5, 1),
        )
    if kind == "objection":
        from households.models import NoticeObjection

        return NoticeObjection.objects.create(
            case=household.case,
            step="notice",
            received_on=datetime.date(2025, 5, 1),
            content="有异议",
            recorded_by=world.profiles.staff.user,
        )
    if kind == "visit":
        return f.VisitFactory(household=household)
    if kind == "monitoring":
        return MonitoringCase.objects.create(
            household=household,
            category="hardship",
            reason="因灾",
            opened_on=datetime.date(2025, 5, 1),
        )
    if kind == "delivery":
        delivery = Delivery(
            item=household.item,
            delivered_on=datetime.date(2025, 4, 1),
            amount=100,
            token="t",
            recorded_by=household.item.plan.cadre.user,
        )
        delivery.evidence.save("document.pdf", ContentFile(b"%PDF-1.4 evidence"), save=True)
        return delivery
    if kind in ("plan", "item", "loan", "case"):
        return getattr(household, kind)
    return household


def _village_plan(world, name):
    village = getattr(world.villages, name)
    VillagePlan.objects.get_or_create(
        village=village,
        start_year=2025,
        defaults={"title": "三年发展规划", "end_year": 2027, "goals": "脱贫出列"},
    )
    return village


def _library(world, name):
    village = getattr(world.villages, name)
    plan, _ = VillagePlan.objects.get_or_create(
        village=village,
        start_year=2025,
        defaults={"title": "三年发展规划", "end_year": 2027, "goals": "脱贫出列"},
    )
    return LibraryEntry.objects.create(
        plan=plan, name="组组通公路", kind="road", year=2025, estimated_budget=D("80000")
    )


def _mutual_fund(world, name):
    village = getattr(world.villages, name)
    MutualAidFund.objects.get_or_create(
        village=village,
        defaults={
            "name": "互助资金",
            "established_on": datetime.date(2025, 1, 1),
            "max_loan": D("5000"),
        },
    )
    return village


def _mutual_entry(world, name):
    village = _mutual_fund(world, name)
    return village_services.mutual_aid_capital(
        fund=village.mutual_aid_fund,
        amount=D("100000"),
        voucher="C1",
        entry_date=datetime.date(2025, 1, 5),
        purpose="财政扶贫资金注入",
        user=world.profiles.staff.user,
    )


def _training(world, name):
    village = getattr(world.villages, name)
    return TrainingSession.objects.create(
        township=village.township,
        village=village,
        title="茶叶种植培训",
        skill="茶叶种植",
        organiser="县农业农村局",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 3, 5),
        recorded_by=world.profiles.staff.user,
    )


def _household(world, name):
    return getattr(world.households, name)


def _head(household):
    return household.members.get(relation="head")


def _renovation(world, name):
    hh = _household(world, name)
    return HousingRenovation.objects.create(
        household=hh,
        plan_item=hh.item,
        year=2025,
        grade="D",
        method="rebuild",
        subsidy=D("20000"),
        recorded_by=world.profiles.staff.user,
    )


def _student(world, name):
    hh = _household(world, name)
    return RainDewStudent.objects.create(
        household=hh,
        member=_head(hh),
        plan_item=hh.item,
        school="县职业高中",
        level="secondary",
        enrolled_year=2025,
        school_year=2025,
        subsidy=D("3000"),
        recorded_by=world.profiles.staff.user,
    )


def _relief(world, name):
    hh = _household(world, name)
    return HealthRelief.objects.create(
        household=hh,
        member=_head(hh),
        plan_item=hh.item,
        year=2025,
        illness="尿毒症",
        hospital="县人民医院",
        admitted_on=datetime.date(2025, 4, 1),
        expenses=D("50000"),
        basic_insurance=D("30000"),
        serious_illness_insurance=D("8000"),
        relief=D("5000"),
        recorded_by=world.profiles.staff.user,
    )


def _enterprise(world, name):
    hh = _household(world, name)
    enterprise, created = Enterprise.objects.get_or_create(
        township=hh.village.township,
        name=f"茶叶专业合作社{hh.pk}",
        defaults={"kind": "cooperative", "industry": "茶叶"},
    )
    if created:
        _contract_for(world, hh, enterprise)
    return enterprise


def _contract_for(world, hh, enterprise):
    return DividendContract.objects.create(
        enterprise=enterprise,
        household=hh,
        basis="fund_shares",
        invested=D("5000"),
        annual_dividend=D("600"),
        signed_on=datetime.date(2025, 1, 2),
        start_year=2025,
        end_year=2027,
        recorded_by=world.profiles.staff.user,
    )


def _contract(world, name):
    return _enterprise(world, name).contracts.get()


def _document(world, name):
    project = getattr(world.projects, name)
    return ProjectDocument.objects.create(
        project=project,
        stage="library",
        kind="approval",
        title="立项批复",
        file=ContentFile(b"%PDF-1.4 test", name="approval.pdf"),
        content_type="application/pdf",
        token=f"t{project.pk}",
        uploaded_by=world.profiles.staff.user,
    )


REGISTER_OBJECTS = {
    "village_plan": _village_plan,
    "library": _library,
    "mutual_fund": _mutual_fund,
    "mutual_entry": _mutual_entry,
    "training": _training,
    "renovation": _renovation,
    "student": _student,
    "relief": _relief,
    "enterprise": _enterprise,
    "contract": _contract,
    "document": _document,
}


def _post_data(entry, obj) -> dict:
    if entry.obj == "loan":
        return {
            "repayment": obj.repayments.order_by("due_date").first().pk,
            "paid_on": "2025-04-10",
        }
    return {}


def _login(client, world, role):
    user = _user(world, role)
    if user is not None:
        client.force_login(user)


def _assert_job_started(client, response) -> None:
    """A redirect to the page of the run it started, which the user may open."""
    assert response.status_code == 302
    assert resolve(response["Location"]).view_name == "reporting:run"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(client, world, name, role):
    entry = MATRIX[name]
    _login(client, world, role)
    anonymous = role == "anonymous"
    login_url = reverse("login")

    if entry.access == "public":
        assert client.get(reverse(name)).status_code == 200
    elif entry.access == "anonymous":
        response = client.get(reverse(name))
        if anonymous:
            assert response.status_code == 200
        else:
            assert response.status_code == 302
            assert response["Location"] == reverse("home")
    elif entry.access == "post":
        assert client.get(reverse(name)).status_code in (302, 405)
        response = client.post(reverse(name), {"language": "en", "next": "/"})
        assert response.status_code == 302
    elif entry.access == "login":
        if entry.post:
            assert client.get(reverse(name)).status_code in (302, 405)
            response = client.post(reverse(name))
        else:
            response = client.get(reverse(name, args=entry.extra_args))
        if anonymous:
            assert response.status_code == 302
            assert response["Location"].startswith(login_url)
        elif entry.perm and role not in PERMS[entry.perm]:
            assert response.status_code == 403
        elif entry.job:
            _assert_job_started(client, response)
        else:
            assert response.status_code == (302 if entry.post else 200)
    elif entry.access == "scoped":
        inside, outside = MAPS.get(entry.obj, HOUSEHOLDS)[role]

        def request(obj_pk, obj=None):
            url = reverse(name, args=[obj_pk, *entry.extra_args])
            if entry.post:
                assert client.get(url).status_code in (302, 405)
                return client.post(url, _post_data(entry, obj) if obj is not None else {})
            return client.get(url)

        if inside:
            obj = _object(world, entry.obj, inside)
            response = request(obj.pk, obj)
            if anonymous:
                assert response.status_code == 302
                assert response["Location"].startswith(login_url)
            elif entry.perm and role not in PERMS[entry.perm]:
                assert response.status_code == 403
            elif entry.job:
                _assert_job_started(client, response)
            else:
                assert response.status_code == (302 if entry.post else 200)
        if outside:
            obj = _object(world, entry.obj, outside)
            assert request(obj.pk, obj).status_code == 404
        # An object that does not exist at all answers like one out of scope.
        if not anonymous:
            assert request(999_999).status_code == 404
    else:  # pragma: no cover - an entry with an unknown access kind is a mistake here
        pytest.fail(f"unknown access kind {entry.access!r}")


OUR_APPS = {"township", "households", "assistance", "reporting"}
READ_ONLY = {
    "assistance.ledgerentry",
    "assistance.mutualaidentry",
    "assistance.dividendpayment",
    "households.statuschange",
    "households.idaccess",
}


def _admin_urls(world):
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        if meta.app_label in OUR_APPS and meta.label_lower not in READ_ONLY:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    hh = world.households.own
    urls.append(reverse("admin:households_household_change", args=[hh.pk]))
    urls.append(reverse("admin:households_household_history", args=[hh.pk]))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_superusers_only(client, world, role):
    _login(client, world, role)
    for url in _admin_urls(world):
        response = client.get(url)
        if role == "superuser":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
