import contextlib
import os
import subprocess
import sys
import threading
import time


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(path) -> str:
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def database_url() -> str:
    """The URL of the test database, for a worker started in another process."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(root, *, media, broker, **env):
    """A real Celery worker (solo pool: tasks run in its main process) on the test database,
    returned once it listens. ``env`` adds environment variables (settings). Its log lines
    are collected in ``process.lines`` as they come."""
    import pytest

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "township",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=root,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "township.test_settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "MEDIA_ROOT": str(media),
            **{k: str(v) for k, v in env.items()},
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the worker listens
        line = process.stdout.readline()
        log.append(line)
        if " ready." in line:
            process.lines = log

            def drain():
                for more in process.stdout:
                    log.append(more)

            threading.Thread(target=drain, daemon=True).start()
            return process
        if not line and process.poll() is not None:
            break
    process.kill()
    pytest.fail("the worker did not start:\n" + "".join(log))


def exported(client, url: str, params: dict | None = None):
    """Ask for an export as its page's link does, let the background run write it (in
    process, as the tests run tasks), and download it: the response of the download, its
    bytes in ``content``. The link itself must answer with a redirect to the run's page."""
    from django.http import HttpResponse
    from django.test import TestCase
    from django.urls import resolve, reverse

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(url, params or {})
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.url_name == "run", response["Location"]
    download = client.get(reverse("reporting:download", args=[match.kwargs["pk"]]))
    assert download.status_code == 200, download.status_code
    answer = HttpResponse(b"".join(download.streaming_content), status=200)
    answer["Content-Type"] = download["Content-Type"]
    answer["Content-Disposition"] = download["Content-Disposition"]
    return answer


@contextlib.contextmanager
def two_workers(root, *, media, broker, **env):
    """Two real workers (``start_worker``) building what this process sends, stopped after."""
    from township.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # this process sends; the workers build
    app.control.purge()
    workers = [start_worker(root, media=media, broker=broker, **env) for _ in range(2)]
    try:
        yield workers
    finally:
        app.conf.task_always_eager = eager
        for process in workers:
            process.terminate()
            try:
                process.wait(timeout=20)
            except Exception:
                process.kill()


def finished(run, workers, *, seconds: float = 240) -> str:
    """Wait for ``run`` to finish and check it is done; the workers' log lines."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.3)
    logs = "".join(line for w in workers for line in w.lines)
    assert run.status == run.Status.DONE, run.error + logs
    return logs


def took(worker, task: str) -> bool:
    """Whether ``worker`` received a ``task`` (its log's "Task name[id] received" line, not
    the list of tasks it prints as it starts)."""
    return any(f"reporting.tasks.{task}[" in line and "received" in line for line in worker.lines)
