"""Benchmark: the heavy jobs of a county, time and peak memory, on PostgreSQL and Redis.

    .venv/bin/python bench/reports.py [--households 50000] [--broker redis://127.0.0.1:6379/0]

Runs against the county bench database ``bangfu_bench_<households>`` that bench/pages.py
uses, made (``seed_demo --county --households N``) and migrated as that bench does; kept.
Everything runs with production's settings (DEBUG off) on the interpreter that runs this
script, which RESULTS.md records: as with the pages, an optimized build such as the Docker
image's is about a tenth faster (``VENV=.venv-bench PYTHON=/usr/bin/python3 bin/setup``).
Measured, each in its own processes, all of them real Celery workers (solo pool) except the
first and the last:

- a township's year-end audit PDF, drawn in one process (``manage.py build_report
  year_end``), then as a background run whose sections are tasks, by 1 worker, then by 2;
- the county's poverty-exit report built a township a part and merged, by 1 worker, then
  by 2 workers (peak: the largest worker);
- the county's household list as an Excel export, as a background run (1 worker), as the
  county administrator (full ID numbers: the largest export there is);
- a roster of 10,000 households imported (checked, checked again, written) by
  ``manage.py import_households --apply`` into a copy of the database (the bench database
  itself is left as it was);
- the county itself seeded (``seed_demo --county``, its processes one per CPU) into a new
  database, made and seeded with the settings bench/pages.py seeds with (DEBUG on: no
  broker or shared cache needed), then dropped.

Time is wall-clock from the request to the run's end; peak memory is the largest resident
size of the process that did the work (``wait4``'s rusage, children included). The table is
printed and written to ``bench/RESULTS.md`` between its markers.
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"
MARK_START = "<!-- bench/reports.py: start -->"
MARK_END = "<!-- bench/reports.py: end -->"
TOWNSHIP = "520399100000"  # the first township of the demo county


def _env(database: str, broker: str, media: str) -> dict:
    """The web bench's production settings (DEBUG off: no query is kept or logged), with
    this bench's broker and a media folder of its own."""
    from bench.pages import django_env

    return {
        **django_env(database),
        "CELERY_BROKER_URL": broker,
        "MEDIA_ROOT": media,
        "DJANGO_SETTINGS_MODULE": "township.settings",
    }


def measured(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """Run ``cmd``; its seconds, its peak MB (its own or a child's) and its output."""
    with tempfile.TemporaryFile(mode="w+") as out:
        started = time.monotonic()
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if process.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


class Workers:
    """``count`` solo Celery workers; on exit, the largest peak resident size among them."""

    def __init__(self, count: int, env: dict):
        self.count, self.env, self.processes, self.peak = count, env, [], 0.0

    def __enter__(self):
        from township.celery import app

        app.control.purge()
        for n in range(self.count):
            log = tempfile.NamedTemporaryFile(mode="w+", suffix=".log", delete=False)
            cmd = [PY, "-m", "celery", "-A", "township", "worker", "--pool=solo"]
            cmd += [f"--hostname=bench{n}@%h", "--loglevel=INFO", "--without-gossip"]
            cmd += ["--without-mingle", "--without-heartbeat"]
            process = subprocess.Popen(
                cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
            process.log = Path(log.name)
            self.processes.append(process)
        deadline = time.monotonic() + 90
        for process in self.processes:
            while " ready." not in process.log.read_text():
                if time.monotonic() > deadline or process.poll() is not None:
                    sys.exit("a worker did not start:\n" + process.log.read_text()[-3000:])
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            _pid, _status, usage = os.wait4(process.pid, 0)
            self.peak = max(self.peak, usage.ru_maxrss / 1024)
            process.log.unlink(missing_ok=True)


def wait_for(run, *, limit: float = 3600) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        run.refresh_from_db()
        if run.is_finished:
            if run.status != run.Status.DONE:
                sys.exit(f"{run} failed: {run.error}")
            return time.monotonic() - started
        time.sleep(0.5)
    sys.exit(f"{run} did not finish in {limit} s")


def pages_of(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument(
        "--broker",
        default=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        help="a Redis broker the workers share (emptied before each measure)",
    )
    parser.add_argument("--roster", type=int, default=10_000, help="households imported")
    parser.add_argument(
        "--database", help="an existing database to measure (default: bangfu_bench_<households>)"
    )
    args = parser.parse_args()
    if args.database:
        database = args.database
    else:  # the web bench's database, seeded and migrated as it does
        from bench.pages import database as bench_database

        database = bench_database(args.households, reseed=False)
    media = tempfile.mkdtemp(prefix="bangfu-bench-media-")
    env = _env(database, args.broker, media)
    os.environ.update(env)

    import django

    django.setup()
    from django.db import connection

    from households.models import Household, Member
    from reporting import services
    from reporting.models import ReportRun
    from township.models import County, StaffProfile, Township

    year = time.localtime().tm_year
    county = County.objects.get(townships__code=TOWNSHIP)
    size = {
        "households": Household.objects.count(),
        "members": Member.objects.filter(is_active=True).count(),
        "townships": county.townships.count(),
    }
    rows = []

    seconds, peak, out = measured(
        [PY, "manage.py", "build_report", "year_end", "--year", str(year)]
        + ["--township", TOWNSHIP],
        env,
    )
    township_households = Household.objects.filter(village__township__code=TOWNSHIP).count()
    year_end = f"Year-end audit PDF, one township ({township_households:,} households)"
    rows.append(
        (
            year_end,
            "`build_report` (one process)",
            f"{pages_of(Path(out.split()[0]))} pages",
            seconds,
            peak,
        )
    )
    township = Township.objects.get(code=TOWNSHIP)
    for count in (1, 2):
        with Workers(count, env) as workers:
            run = services.report_request(
                kind=ReportRun.Kind.YEAR_END, year=year, township=township
            )
            seconds = wait_for(run)
        rows.append(
            (
                year_end,
                f"{count} worker{'s' if count > 1 else ''}, a section a task",
                f"{pages_of(Path(run.file.path))} pages",
                seconds,
                workers.peak,
            )
        )

    for count in (1, 2):
        with Workers(count, env) as workers:
            run = services.report_request(kind=ReportRun.Kind.EXIT, year=year, county=county)
            seconds = wait_for(run)
        rows.append(
            (
                f"County exit report by parts ({size['townships']} townships, merged)",
                f"{count} worker{'s' if count > 1 else ''}",
                f"{run.figures.get('pages', '?')} pages",
                seconds,
                workers.peak,
            )
        )

    county_admin = StaffProfile.objects.filter(
        role=StaffProfile.Role.COUNTY_ADMIN, county=county
    ).first()
    with Workers(1, env) as workers:
        run = services.report_request(
            kind=ReportRun.Kind.EXPORT,
            year=year,
            as_of=datetime.date.today(),
            key=f"export:{county_admin.user_id}:bench-{time.time():.0f}",
            params={"export": "households", "filename": "households.xlsx", "data": {}, "pk": None},
            user=county_admin.user,
        )
        seconds = wait_for(run)
    rows.append(
        (
            "County household list as Excel (background run)",
            "1 worker",
            f"{run.figures.get('rows', 0):,} member rows",
            seconds,
            workers.peak,
        )
    )

    connection.close()
    copy = f"{database}_import"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", copy])
    copied = subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", database, copy],
        capture_output=True,
        text=True,
    )
    if copied.returncode == 0:
        from bench.imports import make_roster

        roster = Path(media) / "roster.xlsx"
        member_rows = make_roster(roster, args.roster)
        try:
            seconds, peak, _ = measured(
                [PY, "manage.py", "import_households", str(roster), "--user", "staff"]
                + ["--apply"],
                {**env, "DATABASE_URL": f"{PG}/{copy}"},
            )
        finally:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", copy])
        rows.append(
            (
                f"Roster import into the county ({args.roster:,} households)",
                "`import_households --apply`",
                f"{member_rows:,} member rows",
                seconds,
                peak,
            )
        )
    else:
        print(f"roster import skipped (could not copy the database): {copied.stderr.strip()}")
    rows.append(seeded(args.households))
    write_results(rows, size, args)


def seeded(households: int) -> tuple:
    """Seed a county of ``households`` into a new database, timed; the database dropped."""
    from bench.pages import seed_env

    scratch = f"bangfu_bench_seed_{households}"
    env = seed_env(scratch)
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", scratch])
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", scratch], check=True)
    try:
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        seconds, peak, out = measured(
            [PY, "manage.py", "seed_demo", "--county", "--households", str(households)], env
        )
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", scratch])
    print(out.strip())
    return (
        "County demo seeded into a new database (`seed_demo --county`)",
        f"{os.cpu_count()} processes",
        f"{households:,} households",
        seconds,
        peak,
    )


def write_results(rows, size: dict, args) -> None:
    lines = [
        MARK_START,
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
        f"({os.cpu_count()} cores, CPython {platform.python_version()} at `{sys.base_prefix}`, "
        f"PostgreSQL, Redis) by `bench/reports.py --households {args.households}`, DEBUG off "
        "(the seed excepted: it runs as bench/pages.py seeds, DEBUG on): "
        f"the county bench database ({size['households']:,} households, "
        f"{size['members']:,} members, {size['townships']} townships). Workers are Celery "
        "workers with the solo pool, one process each; peak is the largest resident size of "
        "the process doing the work (of any worker, with two; of the seed's processes).",
        "",
        "| job | by | output | seconds | peak MB |",
        "|---|---|---|---:|---:|",
    ]
    for job, by, output, seconds, peak in rows:
        lines.append(f"| {job} | {by} | {output} | {seconds:.1f} | {peak:,.0f} |")
    lines.append(MARK_END)
    block = "\n".join(lines)
    print(block)
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    if MARK_START in text:
        text = text[: text.index(MARK_START)] + block + text[text.index(MARK_END) + len(MARK_END) :]
    else:
        text += "\n## Heavy jobs of a county (`bench/reports.py`)\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
