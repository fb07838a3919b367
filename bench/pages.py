"""Benchmark: every main page under concurrent load, beside Django's admin and a floor.

    .venv/bin/python bench/pages.py [--sizes 5000 50000] [--seconds 8] [--connections 4]
                                    [--rounds 3] [--gunicorn "--workers 3 --threads 2"]

For each size, a PostgreSQL database ``bangfu_bench_<size>`` is seeded once with
``seed_demo --county --households <size>`` (kept between runs; ``--reseed`` rebuilds it).
gunicorn serves it with the production settings (DEBUG off, ``gunicorn.conf.py``; ``--gunicorn``
adds arguments over them, to compare settings); wrk (Debian package
``wrk``) on loopback requests each page for a few seconds with a few connections, all pages
one after the other, as township staff and as the county administrator, with the static
floor (a static file, ``/healthz``) and Django's admin changelist of households measured in
the same run; ``--rounds`` goes over them all that many times and reports the medians.
Query counts come from the Django test client in this process. The table is printed and
written to ``bench/RESULTS.md`` (the section between its markers), with the interpreter
that ran it: the pages cost about 10 % more on a Python built without optimizations
(pyenv's default) than on one built with them, as the Docker image's is
(``VENV=.venv-bench PYTHON=/usr/bin/python3 bin/setup`` makes one from Debian's).
"""

import argparse
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PORT = 8765
PG = "postgres://postgres@127.0.0.1:5432"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.1f %.1f %.1f\\n", summary.requests,
    summary.errors.status, summary.duration, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency.mean / 1000))
end
"""
CACHE_DB = 9
MARK_START = "<!-- bench/pages.py: start -->"
MARK_END = "<!-- bench/pages.py: end -->"


def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(name, role, path): the pages measured, with the floor and the admin beside them."""
    shared = [
        ("household list", "/households/"),
        ("household list, ID-tail search", f"/households/?q={ids['tail']}"),
        ("household list, name search", f"/households/?q={quote(ids['name'])}"),
        ("household list, by last visit", "/households/?sort=last_visit"),
        ("household list, not visited 30 days", "/households/?status=registered&no_visit_days=30"),
        ("household list, out of poverty this year", f"/households/?exit_year={ids['year']}"),
        ("household list, a cadre's", f"/households/?cadre={ids['cadre']}"),
        ("home (dashboard)", "/"),
        ("archive card", f"/households/{ids['household']}/"),
        ("visits", "/households/visits/"),
        ("monitoring", "/households/monitoring/"),
        ("villages", "/villages/"),
        ("village exit", "/villages/exit/"),
        ("pairing cadres", "/assistance/pairings/"),
        ("funds", "/assistance/funds/"),
        ("a fund", f"/assistance/funds/{ids['fund']}/"),
        ("plans and projects", "/assistance/projects/"),
        ("reports", "/reports/"),
    ]
    rows = [
        ("floor: a static file", "staff", "/static/css/bangfu.css"),
        ("floor: /healthz", "anonymous", "/healthz"),
        ("floor: the login page", "anonymous", "/accounts/login/"),
        ("Django admin: households changelist", "admin", "/admin/households/household/"),
    ]
    for role in ("staff", "county"):
        rows += [(name, role, path) for name, path in shared]
    return rows


def seed_env(name: str) -> dict:
    """The settings the bench databases are made and seeded with: the development ones (no
    broker or shared cache to set up), on PostgreSQL."""
    return {**os.environ, "DEBUG": "1", "DATABASE_URL": f"{PG}/{name}", "LOG_LEVEL": "WARNING"}


def database(size: int, reseed: bool) -> str:
    name = f"bangfu_bench_{size}"
    env = seed_env(name)
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "select 1", name],
        capture_output=True,
    )
    if exists.returncode == 0 and not reseed:
        count = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-Atc",
                "select count(*) from households_household",
                name,
            ],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if count == str(size):
            # Kept from an earlier run: brought up to the code's migrations.
            subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
            return name
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    subprocess.run(
        [PY, "manage.py", "seed_demo", "--county", "--households", str(size)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"seeded {size} households in {time.monotonic() - started:.0f} s", flush=True)
    return name


def django_env(name: str) -> dict:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{PG}/{name}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/8",
        # The cache the web processes share, as in production (emptied for each size).
        "CACHE_URL": f"redis://127.0.0.1:6379/{CACHE_DB}",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }


def setup_in_process(name: str):
    """Django in this process, on the bench database: sessions, ids and query counts."""
    os.environ.update({**django_env(name), "DEBUG": "1"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "township.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def sessions_and_ids() -> tuple[dict, dict]:
    import datetime

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from assistance.models import Fund
    from households.models import Household, Member, Pairing

    cookies = {"anonymous": ""}
    for role, username in (("staff", "staff"), ("county", "county"), ("admin", "admin")):
        user = get_user_model().objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "township.backends.ProfileModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(3 * 3600)
        session.save()
        cookies[role] = session.session_key
    household = Household.objects.filter(village__township__code="520399100000").order_by("pk")
    household = household.first()
    head = Member.objects.filter(household=household, relation="head").first()
    ids = {
        "household": household.pk,
        "tail": head.id_number[-4:],
        "name": head.name[:2],
        "year": datetime.date.today().year,
        "cadre": Pairing.objects.filter(household=household).values_list("cadre_id", flat=True)[0],
        "fund": Fund.objects.filter(township__code="520399100000").order_by("pk").first().pk,
    }
    return cookies, ids


def query_count(role: str, path: str) -> int | str:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=role))
    client.get(path)  # the session's first write and the figures' first computation
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return len(queries)


def load(path: str, cookie: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            "-H",
            f"Cookie: sessionid={cookie}",
            "-H",
            "X-Forwarded-Proto: https",
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests, errors, duration, p50, p95, _mean = re.search(
        r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out
    ).groups()
    return {
        "p50": float(p50),
        "p95": float(p95),
        "rps": int(requests) / (int(duration) / 1e6),
        "errors": int(errors),
    }


def measure(size: int, args) -> dict:
    """One size, in a process of its own (Django is set up once a process)."""
    name = database(size, args.reseed)
    env = django_env(name)
    subprocess.run(["redis-cli", "-n", str(CACHE_DB), "flushdb"], check=True, capture_output=True)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env)
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "township.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            *args.gunicorn.split(),
        ],
        # gunicorn.conf.py, the production settings, is read from the working directory.
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,  # the access log
    )
    rounds = {}
    try:
        time.sleep(3)
        setup_in_process(name)
        cookies, ids = sessions_and_ids()
        measured = [row for row in pages(ids) if not args.only or re.search(args.only, row[0])]
        # Round after round over every page: a disturbance of the machine (it moves a
        # page's p95 by a fifth or more between runs) falls on one round, not one page.
        for number in range(args.rounds):
            for label, role, path in measured:
                if number == 0:
                    load(path, cookies[role], 1, args.connections)  # warm-up
                figures = load(path, cookies[role], args.seconds, args.connections)
                rounds.setdefault(f"{label}|{role}", []).append(figures)
                print(f"{size:>6} {role:<7} {label:<44} {figures}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    results = {}
    for label, role, path in measured:
        key = f"{label}|{role}"
        each = rounds[key]
        results[key] = {
            **{k: statistics.median(r[k] for r in each) for k in ("p50", "p95", "rps")},
            "errors": sum(r["errors"] for r in each),
            "p95s": [r["p95"] for r in each],
            "queries": (
                query_count(role, path) if role != "anonymous" and "/static/" not in path else "—"
            ),
        }
    return results


def main() -> None:
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every page this many times, in turn; the table gives the medians",
    )
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--gunicorn",
        default="",
        help="gunicorn arguments over gunicorn.conf.py's, e.g. '--workers 3 --threads 2'",
    )
    parser.add_argument(
        "--only", help="measure only the pages whose name matches this pattern (nothing is written)"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/pages.py needs wrk: apt-get install wrk")
    if args.one:
        Path(args.json).write_text(json.dumps(measure(args.one, args)), encoding="utf-8")
        return
    results = {}
    for size in args.sizes:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                [
                    PY,
                    __file__,
                    "--one",
                    str(size),
                    "--json",
                    out.name,
                    "--seconds",
                    str(args.seconds),
                    "--connections",
                    str(args.connections),
                    "--rounds",
                    str(args.rounds),
                    f"--gunicorn={args.gunicorn}",
                ]
                + (["--reseed"] if args.reseed else [])
                + (["--only", args.only] if args.only else []),
                check=True,
            )
            for key, figures in json.loads(Path(out.name).read_text()).items():
                label, role = key.split("|")
                results[(label, role, size)] = figures
    if not args.only:
        write_results(results, args)


def gunicorn_settings(extra: str, size: int) -> str:
    """The workers gunicorn runs with: gunicorn.conf.py's, with ``extra`` over them."""
    out = subprocess.run(
        [PY, "-m", "gunicorn", "--print-config", *extra.split(), "township.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        # It loads the app (preload): the settings of a measured run.
        env={**django_env(f"bangfu_bench_{size}"), "DJANGO_SETTINGS_MODULE": "township.settings"},
    ).stdout
    found = dict(re.findall(r"^(\w+)\s*= (.*)$", out, re.M))
    threads = int(found["threads"])
    # gunicorn runs a "sync" worker of more than one thread as a "gthread" worker.
    kind = "gthread" if threads > 1 and found["worker_class"] == "sync" else found["worker_class"]
    return (
        f"{found['workers']} {kind} workers of {threads} thread(s), "
        f"preload_app {found['preload_app']}"
    )


def write_results(results: dict, args) -> None:
    sizes = args.sizes
    floor = {s: results[("floor: the login page", "anonymous", s)]["p95"] for s in sizes}
    admin_row = {s: results[("Django admin: households changelist", "admin", s)] for s in sizes}
    admin = {s: admin_row[s]["p95"] for s in sizes}
    lines = [
        MARK_START,
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
        f"({os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()} at `{sys.base_prefix}`, PostgreSQL), by "
        f"`bench/pages.py --sizes {' '.join(map(str, sizes))} "
        f"--seconds {args.seconds} --connections {args.connections}"
        + (f" --rounds {args.rounds}" if args.rounds > 1 else "")
        + (f" --gunicorn '{args.gunicorn}'" if args.gunicorn else "")
        + f"`: gunicorn with {gunicorn_settings(args.gunicorn, sizes[0])} and DEBUG off, "
        f"wrk with {args.connections} connections for {args.seconds} s a page, "
        + (
            f"all pages in turn, {args.rounds} rounds: each figure is the median of the "
            "rounds, and the admin ratio is followed by its lowest and highest in a round. "
            if args.rounds > 1
            else "all pages in one run. "
        )
        + "Times in ms; ratios are p95 against the admin changelist and "
        "against the login page (a bare Django view) of the same size. Queries are counted "
        "on a request as served, after a first one (the session's first write and the "
        "dashboards' first computation of their cached figures are not in them).",
        "",
        "| page | as | "
        + " | ".join(f"{s:,}: p50 / p95 / req/s / queries | ×admin | ×floor" for s in sizes)
        + " |",
        "|---|---|" + "---:|---:|---:|" * len(sizes),
    ]
    seen = []
    for label, role, _size in results:
        if (label, role) not in seen:
            seen.append((label, role))
    for label, role in seen:
        cells = []
        for size in sizes:
            r = results.get((label, role, size))
            if r is None:
                cells += ["", "", ""]
                continue
            cells.append(
                f"{r['p50']:.0f} / {r['p95']:.0f} / {r['rps']:.0f} / {r['queries']}"
                + (f" ({r['errors']} errors)" if r["errors"] else "")
            )
            ratio = f"{admin[size] / r['p95']:.1f}× faster" if r["p95"] else ""
            if r["p95"] and len(r["p95s"]) > 1:
                each = [a / p for a, p in zip(admin_row[size]["p95s"], r["p95s"], strict=True)]
                ratio += f" ({min(each):.1f}–{max(each):.1f})"
            cells.append(ratio)
            cells.append(f"{r['p95'] / floor[size]:.1f}" if floor[size] else "")
        lines.append(f"| {label} | {role} | " + " | ".join(cells) + " |")
    lines.append(MARK_END)
    block = "\n".join(lines)
    print(block)
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    if MARK_START in text:
        text = text[: text.index(MARK_START)] + block + text[text.index(MARK_END) + len(MARK_END) :]
    else:
        text += "\n## Pages under load (`bench/pages.py`)\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
