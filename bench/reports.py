"""Benchmark: a township's year-end audit for 400 and 4,000 households, time and peak memory.

Run on PostgreSQL (a fresh database per size is created and dropped):
    .venv/bin/python bench/reports.py [--sizes 400 4000] [--kind year_end]
Each size: seed_demo, then `manage.py build_report` in a child process, timed; its peak
resident memory is read from the child's rusage.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def run(cmd, env):
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 4000])
    parser.add_argument("--kind", default="year_end")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    print(f"{'households':>10} {'pages':>6} {'seconds':>8} {'peak MB':>8}  ({args.kind})")
    for size in args.sizes:
        name = f"bangfu_bench_{size}"
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"{args.pg}/{name}",
            "MEDIA_ROOT": f"/tmp/{name}-media",
            "LOG_LEVEL": "WARNING",
        }
        try:
            run([PY, "manage.py", "migrate", "-v0"], env)
            run([PY, "manage.py", "seed_demo", "--households", str(size)], env)
            year = time.localtime().tm_year
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.monotonic()
            out = subprocess.run(
                [
                    PY,
                    "manage.py",
                    "build_report",
                    args.kind,
                    "--year",
                    str(year),
                    "--township",
                    "520399100000",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            seconds = time.monotonic() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            pdf = out.split()[0]
            pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
            pages = next(
                (line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?"
            )
            # ru_maxrss of children is the largest child so far: meaningful as sizes grow.
            print(f"{size:>10} {pages:>6} {seconds:>8.1f} {max(peak, before) / 1024:>8.0f}")
        finally:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name])


if __name__ == "__main__":
    main()
