"""Benchmark: importing a roster of 10,000 households with 35,000 members on PostgreSQL.

    .venv/bin/python bench/imports.py [--households 10000]

Makes the .xlsx (write-only openpyxl), a fresh database with the demo township's places and
logins (`seed_demo --households 1`), then runs `import_households --apply` as `staff` in a
child process: its time and peak resident memory are printed.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_roster(path: Path, households: int) -> int:
    from openpyxl import Workbook

    from households.imports.roster import COLUMNS
    from township.validators import id_check_char

    rng = random.Random(7)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("农户")
    sheet.append([c.zh for c in COLUMNS])
    sheet.append([c.en for c in COLUMNS])
    keys = [c.key for c in COLUMNS]
    villages = [f"520399100{201 + i:03d}" for i in range(12)]
    rows, serial = 0, 0

    def new_id(born_year: int, male: bool) -> str:
        nonlocal serial
        serial += 1
        day = 1 + serial % 28
        month, sequence = 1 + serial // 28 % 12, (serial // 336 % 500) * 2 + male
        first17 = f"510199{born_year}{month:02d}{day:02d}{sequence:03d}"
        return first17 + id_check_char(first17)

    for n in range(households):
        size = 1 + n % 6 if n % 2 else (2 if n % 3 else 5)
        head = new_id(1950 + n % 40, True)
        for m in range(size):
            own = head if m == 0 else new_id(1975 + m * 5 + n % 10, m % 2 == 1)
            values = {
                "village": villages[n % 12],
                "group_name": f"{1 + n % 6}组",
                "head_id": head,
                "name": f"户{n}员{m}",
                "id_number": own,
                "sex": "男" if m % 2 == 0 else "女",
                "relation": "户主" if m == 0 else "之子",
                "attribute": "一般贫困户",
                "year_identified": 2016,
                "income_year": 2025,
                "wage_income": rng.randint(2000, 20000),
                "transfer_income": 1200,
            }
            sheet.append([values.get(k, "") for k in keys])
            rows += 1
    book.save(path)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "township.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    path = Path("/tmp/bangfu-bench-roster.xlsx")
    rows = make_roster(path, args.households)
    name = "bangfu_bench_import"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "MEDIA_ROOT": "/tmp/bangfu-bench-media",
        "LOG_LEVEL": "WARNING",
    }
    try:
        py = sys.executable
        subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [py, "manage.py", "seed_demo", "--households", "1"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = time.monotonic()
        subprocess.run(
            [py, "manage.py", "import_households", str(path), "--user", "staff", "--apply"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"{args.households} households, {rows} member rows: {seconds:.1f} s (check + write), "
            f"peak {peak:.0f} MB"
        )
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name])


if __name__ == "__main__":
    main()
