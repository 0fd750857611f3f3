"""Event loops on threads of their own, under the app's own loop as ``desktop.app.main`` runs it
(``qasync.run``, whose policy makes every new loop a Qt loop). A Qt loop runs only on Qt's main
thread: the bulk runs' thread started one, its ``run_forever`` returned at once, and no bulk
lookup ever ran in the app (the tests drove the window on a loop made without that policy)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = """
import asyncio, sys, time
import qasync
from PySide6.QtWidgets import QApplication
from desktop.bulk import BulkThread, plan_jobs
from desktop.engine import LookupEngine
from desktop.simulator.registry import demo_profiles, start_simulator

app = QApplication([])
simulator = start_simulator()
engine = LookupEngine(*demo_profiles(simulator))
IDS = ["33333333-3333-4333-8333-000000000001", "33333333-3333-4333-8333-000000000002"]

async def main():
    await engine.http_pool.prepare()  # its worker thread's loop, as the window starts it
    bulk = BulkThread(engine)
    job = plan_jobs(bulk.engine, "leadsquared", None, None)[0]
    bulk.start(job, IDS)
    waited = time.monotonic()
    while bulk.running and time.monotonic() - waited < 20:
        await asyncio.sleep(0.05)
    final = [outcome for _run, outcome in bulk.take() if outcome.state.is_final]
    bulk.close()
    await engine.aclose()
    print(type(bulk._loop).__name__, len(final), "anyio._backends._asyncio" in sys.modules)

qasync.run(main())
simulator.stop()
"""


def test_bulk_runs_and_the_http_warm_up_run_on_plain_loops_under_the_apps_policy() -> None:
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(root))
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                          env=env, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    loop_kind, answered, backend_loaded = done.stdout.split()
    assert not loop_kind.startswith("Q"), loop_kind  # qasync's loops are QSelectorEventLoop...
    assert answered == "2" and backend_loaded == "True", done.stdout
    # A Qt loop started off the main thread says so on stderr; nothing like it now.
    assert "main thread" not in done.stderr and "never awaited" not in done.stderr, done.stderr
