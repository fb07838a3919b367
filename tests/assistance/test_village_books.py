"""The village's own books: development plan and project library (taken up by the township),
the mutual-aid fund's small ledger, and the work team's attendance."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance import village_services
from assistance.models import LibraryEntry, MutualAidEntry, MutualAidFund, Project, TeamAttendance

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def team(client, world):
    client.force_login(world.profiles.team.user)
    return client


def test_a_village_plans_its_projects_and_the_township_takes_one_into_its_projects(
    team, client, world
):
    village = world.villages.a1
    team.post(
        reverse("villagework:plan_edit", args=[village.pk]),
        {"title": "三年发展规划", "start_year": "2025", "end_year": "2027", "goals": "全部脱贫"},
    )
    outside = team.post(
        reverse("villagework:library_add", args=[village.pk]),
        {
            "name": "便民桥",
            "kind": "bridge",
            "year": "2030",
            "estimated_budget": "110000",
            "priority": "1",
        },
    )
    assert "规划期为 2025 至 2027 年" in outside.content.decode()
    team.post(
        reverse("villagework:library_add", args=[village.pk]),
        {
            "name": "便民桥",
            "kind": "bridge",
            "year": "2026",
            "estimated_budget": "110000",
            "priority": "1",
            "description": "方便三个组群众出行",
        },
    )
    entry = LibraryEntry.objects.get()
    # The village proposes; the township office decides.
    promote = reverse("villagework:library_promote", args=[entry.pk])
    assert team.get(promote).status_code == 403
    client.force_login(world.profiles.staff.user)
    response = client.post(promote, {"implementing_unit": "县交通运输局"})
    project = Project.objects.get(name="便民桥")
    assert response["Location"] == reverse("assistance:project", args=[project.pk])
    assert (project.township, project.stage, project.budget, project.year) == (
        world.township,
        Project.Stage.LIBRARY,
        D("110000.00"),
        2026,
    )
    assert list(project.villages.all()) == [village]
    entry.refresh_from_db()
    assert entry.project == project
    again = client.post(promote, {"implementing_unit": "县交通运输局"})
    assert "已纳入乡镇扶贫项目" in again.content.decode()
    assert Project.objects.filter(name="便民桥").count() == 1


def test_the_mutual_aid_fund_lends_within_its_rules_and_keeps_its_balance_derived(team, world):
    village = world.villages.a1
    team.post(
        reverse("villagework:mutual_aid_setup", args=[village.pk]),
        {
            "name": "新田村互助资金",
            "established_on": "2025-01-01",
            "max_loan": "5000",
            "fee_rate": "3",
        },
    )
    fund = MutualAidFund.objects.get(village=village)
    entry_url = reverse("villagework:mutual_aid_entry", args=[village.pk])
    team.post(
        entry_url,
        {
            "kind": "capital",
            "voucher": "HZ-1",
            "entry_date": "2025-01-05",
            "amount": "10000",
            "purpose": "财政扶贫资金注入",
        },
    )
    team.post(
        reverse("villagework:mutual_aid_member", args=[village.pk]),
        {"card_number": world.households.own.card_number, "joined_on": "2025-01-06"},
    )
    member = fund.members.get()
    loan = {
        "kind": "loan",
        "voucher": "HZ-J1",
        "entry_date": "2025-03-01",
        "amount": "6000",
        "member": member.pk,
        "due_on": "2026-03-01",
        "purpose": "养猪",
    }
    assert "每户最多借款 5000.00 元" in team.post(entry_url, loan).content.decode()
    team.post(entry_url, {**loan, "amount": "4000"})
    second = team.post(entry_url, {**loan, "voucher": "HZ-J2", "amount": "500"})
    assert "该成员尚有未还清的借款" in second.content.decode()
    lent = MutualAidEntry.objects.get(voucher="HZ-J1")
    repay = {"kind": "repayment", "voucher": "HZ-H1", "entry_date": "2025-09-01", "loan": lent.pk}
    assert (
        "该笔借款仅欠 4000.00 元"
        in team.post(entry_url, {**repay, "amount": "5000"}).content.decode()
    )
    team.post(entry_url, {**repay, "amount": "1500"})
    team.post(entry_url, {**repay, "kind": "fee", "voucher": "HZ-F1", "amount": "60"})

    balance = village_services.mutual_aid_balance(fund)
    assert (balance.in_hand, balance.outstanding, balance.fees) == (
        D("7560.00"),
        D("2500.00"),
        D("60.00"),
    )
    page = team.get(reverse("villagework:mutual_aid", args=[village.pk]))
    assert [loan.outstanding for loan in page.context["loans"]] == [D("2500.00")]
    # A loan with repayments is not reversed; the repayment is, and the balance follows.
    reverse_url = reverse("villagework:mutual_aid_reverse", args=[lent.pk])
    refused = team.post(
        reverse_url, {"voucher": "HZ-V1", "entry_date": "2025-09-02", "reason": "x"}
    )
    assert "请先冲销还款" in refused.content.decode()
    repayment = MutualAidEntry.objects.get(voucher="HZ-H1")
    team.post(
        reverse("villagework:mutual_aid_reverse", args=[repayment.pk]),
        {"voucher": "HZ-V1", "entry_date": "2025-09-02", "reason": "记错金额"},
    )
    assert village_services.mutual_aid_balance(fund).outstanding == D("4000.00")
    assert village_services.mutual_aid_balance(fund, until=datetime.date(2025, 6, 30)).in_hand == (
        D("6000.00")
    )
    with pytest.raises(ValueError):
        repayment.delete()


def test_the_work_team_logs_its_days_in_the_village(team, world):
    village = world.villages.a1
    me = world.profiles.team
    log = reverse("villagework:attendance_log", args=[village.pk])
    for day, presence in [("2025-05-05", "in_village"), ("2025-05-06", "in_village")]:
        team.post(log, {"person": me.pk, "day": day, "presence": presence})
    team.post(log, {"person": me.pk, "day": "2025-05-07", "presence": "leave", "note": "病假"})
    # A second record of a day corrects the first.
    team.post(
        log, {"person": me.pk, "day": "2025-05-06", "presence": "on_duty", "note": "县里开会"}
    )
    refused = team.post(log, {"person": world.profiles.cadre.pk, "day": "2025-05-08"}, follow=True)
    assert "请填写工作队员、日期和在岗情况" in refused.content.decode()
    assert TeamAttendance.objects.filter(person=me).count() == 3
    page = team.get(reverse("villagework:attendance", args=[village.pk]), {"month": "2025-05"})
    (row,) = page.context["grid"]
    assert row["present"] == 1
    assert [r.presence if r else None for r in row["days"][4:8]] == [
        "in_village",
        "on_duty",
        "leave",
        None,
    ]
    assert TeamAttendance.objects.get(day=datetime.date(2025, 5, 6)).history.count() == 2
