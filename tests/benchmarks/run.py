"""The benchmark: every figure as a ratio against a baseline measured in the same run.

    QT_QPA_PLATFORM=offscreen python3 -m tests.benchmarks.run [--quick]

This machine is shared and noisy, so absolute times mean little: each figure is compared with a
baseline doing the least possible work of the same kind, measured interleaved with it. Nothing
here asserts; the table is for people (README and issue notes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.analytics.period import Period
    from desktop.core.http import HttpResponse
    from desktop.engine import LookupEngine

REPO_ROOT = Path(__file__).resolve().parents[2]

BARE_WINDOW = """
import json
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1100, 760)
window.show()
def report():
    with open("/proc/self/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    print(json.dumps({"idle": True, "rss_kib": rss}), flush=True)
    app.quit()
QTimer.singleShot(0, report)
app.exec()
"""


@dataclass
class Figure:
    name: str
    value: float
    baseline: float
    unit: str
    target: str
    #: How the ratio compares with the target: "<=" a bound, or "" when only reported.
    bound: float | None = None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    def verdict(self) -> str:
        if self.bound is None:
            return "reported"
        return "met" if self.ratio <= self.bound else "MISSED"


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO_ROOT))
    env.setdefault("CALLLOOKUP_CONFIG_DIR", "/tmp/calllookup-bench/config")
    env.setdefault("CALLLOOKUP_DATA_DIR", "/tmp/calllookup-bench/data")
    return env


#: The bare window plus the libraries the product mandates (qasync, pydantic, httpx): what any
#: app on this stack holds before its own code runs. Reported, to show where the memory floor is.
STACK_FLOOR = BARE_WINDOW.replace(
    "app = QApplication([])", "import qasync, pydantic, httpx\napp = QApplication([])"
)


def _events_seconds(command: list[str]) -> dict[str, tuple[float, int]]:
    """Each JSON event line the command prints: seconds from process start, and its RSS (KiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_env()
    )
    assert process.stdout is not None
    events: dict[str, tuple[float, int]] = {}
    for line in process.stdout:
        if line.startswith("{"):
            event = json.loads(line)
            name = next(key for key in event if key != "rss_kib")
            events[name] = (time.perf_counter() - started, int(event["rss_kib"]))
    process.wait(timeout=60)
    if "idle" not in events:
        raise RuntimeError(f"{command} never reported idle (exit {process.returncode})")
    return events


def startup_and_memory(rounds: int) -> list[Figure]:
    bare = [sys.executable, "-c", BARE_WINDOW]
    floor = [sys.executable, "-c", STACK_FLOOR]
    app = [sys.executable, "-m", "desktop", "--demo", "--report-when-idle"]
    after_lookup = [*app, "--smoke-test"]
    bare_times, paint_times, ready_times = [], [], []
    bare_rss, floor_rss, lookup_rss = [], [], []
    for _ in range(rounds):  # interleaved, so load on the machine hits both alike
        elapsed, rss = _events_seconds(bare)["idle"]
        bare_times.append(elapsed)
        bare_rss.append(rss)
        floor_rss.append(_events_seconds(floor)["idle"][1])
        events = _events_seconds(app)
        paint_times.append(events["first_paint"][0])
        ready_times.append(events["idle"][0])
        lookup_rss.append(_events_seconds(after_lookup)["idle"][1])
    bare_time = statistics.median(bare_times)
    bare_mib = statistics.median(bare_rss) / 1024
    return [
        Figure("startup to window shown and idle: first paint (--demo)",
               statistics.median(paint_times), bare_time, "s", "<= 1.3x bare QMainWindow", 1.3),
        Figure("startup to ready for a lookup, idle (--demo)", statistics.median(ready_times),
               bare_time, "s", "reported (everything loaded, demo simulator running)"),
        Figure("resident memory after a demo lookup", statistics.median(lookup_rss) / 1024,
               bare_mib, "MiB", "<= 1.5x bare QMainWindow", 1.5),
        Figure("memory floor: bare window + qasync, pydantic, httpx imported",
               statistics.median(floor_rss) / 1024, bare_mib, "MiB", "reported"),
    ]  # fmt: skip


def demo_window() -> tuple[Any, Any, Any, Any]:
    """(QApplication, running simulator, engine on demo profiles, shown main window)."""
    from PySide6.QtWidgets import QApplication

    from desktop.engine import LookupEngine
    from desktop.simulator.registry import demo_profiles, start_simulator
    from desktop.ui.main_window import MainWindow
    from desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    simulator = start_simulator()
    profiles, secrets = demo_profiles(simulator)
    engine = LookupEngine(profiles, secrets)
    window = MainWindow(engine, TaskRunner(lambda error: None))
    window.show()
    return app, simulator, engine, window


def lookup_overhead(rounds: int) -> list[Figure]:
    """One LeadSquared lookup through form -> adapter -> models -> table, against a bare httpx
    GET of the same URL, both against the simulator in this process."""
    import httpx
    import qasync

    from desktop.simulator import leadsquared as sim

    app, simulator, engine, window = demo_window()
    tab = window.vendor_tabs["leadsquared"]
    url = simulator.base_url("leadsquared") + "/1/api/telephony/logcallcomplete/status"

    async def measure() -> tuple[list[float], list[float]]:
        full, bare = [], []
        async with httpx.AsyncClient() as client:
            for index in range(rounds):
                if index % 20 == 0:
                    simulator.reset()  # stay under the simulator's 25-in-5-s limit
                started = time.perf_counter()
                response = await client.get(
                    url,
                    params={"RequestID": sim.SUCCESS_ID},
                    headers={"x-api-key": sim.DEMO_API_KEY},
                )
                response.json()
                bare.append(time.perf_counter() - started)
                started = time.perf_counter()
                tab.form.set_values({"RequestId": sim.SUCCESS_ID})
                tab.lookup_button.click()
                task = tab.current_task
                assert task is not None
                await task
                full.append(time.perf_counter() - started)
        await engine.aclose()
        return full, bare

    # The app's limiter allows 25 requests per 5 s: measuring 200 lookups through it would
    # time the limiter. The simulator is reset between batches and the app's limiter lifted.
    engine._limiters.clear()
    from desktop.vendors.leadsquared import LeadSquared

    original = LeadSquared.rate_limit
    LeadSquared.rate_limit = None  # type: ignore[assignment]
    try:
        full, bare = qasync.run(measure())
    finally:
        LeadSquared.rate_limit = original
        simulator.stop()
        window.close()
    del app
    return [
        Figure(
            f"LeadSquared lookup, full app path (median of {rounds})",
            statistics.median(full) * 1000,
            statistics.median(bare) * 1000,
            "ms",
            "<= 1.5x bare httpx GET",
            1.5,
        )
    ]


#: Lookups of the 100,000-attempt call whose first rows are timed (median).
FIRST_ROWS_ROUNDS = 7


def escalation_list(_rounds: int) -> list[Figure]:
    """100,000 attempts from the simulator through the supervisor view: first rows against one
    bare page request, all loaded, the largest event-loop stall, and the memory it takes.

    The simulator answers from a process of its own, as a vendor does from its own machine:
    in the window's process its threads took the GIL from the window's paints and parsing, so
    the window's own work made the vendor answer later (as the bulk and review rows avoid)."""
    with _SimulatorProcess() as simulator:
        return _escalation_list_rows(simulator.port)


def _escalation_list_rows(port: int) -> list[Figure]:
    import httpx
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.app import resident_memory_kib
    from desktop.engine import LookupEngine
    from desktop.simulator import oneuptime as ou
    from desktop.ui.main_window import MainWindow
    from desktop.ui.table_models import WIDTHS_SETTLED
    from desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    engine = LookupEngine(*_simulator_profiles(port))
    window = MainWindow(engine, TaskRunner(lambda error: None))
    window.show()
    tab = window.vendor_tabs["oneuptime"]
    window.tabs.setCurrentWidget(tab)  # as a supervisor would: Qt lays out a visible table
    url = (f"http://127.0.0.1:{port}/oneuptime{ou.OneUptimeSimulator.demo.base_path}"
           "/incoming-call-log-item/get-list")  # fmt: skip
    gaps = [0.0]

    async def measure() -> dict[str, float]:
        figures: dict[str, float] = {}
        bare_pages, first_rows = [], []
        for _ in range(FIRST_ROWS_ROUNDS):  # interleaved; each list sized as if it were the first
            async with httpx.AsyncClient() as client:
                started = time.perf_counter()
                response = await client.post(
                    url,
                    params={"skip": "0", "limit": "100"},
                    headers={"ApiKey": ou.ADMIN_KEY, "projectid": ou.PROJECT_ID},
                    json={"query": {"incomingCallLogId": ou.CALL_100K}},
                )
                response.json()
                bare_pages.append(time.perf_counter() - started)
            panel = tab.attempts
            assert panel is not None
            panel.table.horizontalHeader().setProperty(WIDTHS_SETTLED, None)
            started = time.perf_counter()
            tab.form.set_values({"incomingCallLogId": ou.CALL_100K})
            tab.lookup_button.click()
            assert tab.current_task is not None
            await tab.current_task
            first_rows.append(time.perf_counter() - started)
        figures["bare_page"] = statistics.median(bare_pages)
        figures["first_rows"] = statistics.median(first_rows)
        rss_before = resident_memory_kib()
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps[0] = max(gaps[0], now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        panel = tab.attempts
        assert panel is not None
        last[0] = time.perf_counter()
        timer.start()
        await panel.load_all()
        timer.stop()
        figures["all_loaded"] = time.perf_counter() - started
        figures["rows"] = panel.model.rowCount()
        figures["rss_added_mib"] = (resident_memory_kib() - rss_before) / 1024
        figures["rss_mib"] = resident_memory_kib() / 1024
        started = time.perf_counter()
        from desktop.ui.table_actions import clipboard_payload, table_snapshot

        headers, rows_wanted, columns = table_snapshot(panel.table, selected_only=False)
        started = time.perf_counter()
        clipboard_payload(panel.model, headers, rows_wanted, columns)
        figures["copy"] = time.perf_counter() - started
        import tracemalloc  # measured in a second run: tracing slows every allocation

        tracemalloc.start()
        clipboard_payload(panel.model, headers, rows_wanted, columns)
        figures["copy_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        started = time.perf_counter()
        from desktop.core.export import to_tsv

        to_tsv([{"a": "x"}] * len(rows_wanted))
        figures["copy_baseline"] = time.perf_counter() - started
        await engine.aclose()
        return figures

    try:
        figures = qasync.run(measure())
    finally:
        window.close()
    del app
    return [
        Figure(f"100,000 attempts: first rows shown (median of {FIRST_ROWS_ROUNDS})",
               figures["first_rows"] * 1000,
               figures["bare_page"] * 1000, "ms", "<= 1.2x one bare page request", 1.2),
        Figure("100,000 attempts: all loaded (limit: 100 req/s)", figures["all_loaded"],
               figures["rows"] / 100 / 100, "s", "reported (baseline: 1,000 pages at the "
               "vendor's 100 requests/s)"),
        Figure("100,000 attempts: largest event-loop stall", gaps[0] * 1000, 50.0, "ms",
               "< 50 ms", 1.0),
        Figure("copy 100,000 rows as TSV+HTML", figures["copy"] * 1000, 1000.0, "ms",
               "under 1 s (baseline = 1 s)", 1.0),
        Figure("copy 100,000 rows: peak memory added", figures["copy_peak_mib"],
               figures["copy_peak_mib"], "MiB", "reported"),
        Figure("memory with 100,000 attempts loaded", figures["rss_mib"],
               figures["rss_mib"] - figures["rss_added_mib"], "MiB",
               "reported (baseline: before loading)"),
    ]  # fmt: skip


#: Attempts parsed for the per-attempt memory figure, and the budget it is held to: "a few
#: hundred bytes" per loaded attempt (the escalation analytics issue's scale target).
RECORD_ATTEMPTS = 20_000
RECORD_BUDGET_BYTES = 500.0


def attempt_record_memory(_rounds: int) -> list[Figure]:
    """What one loaded attempt costs (tracemalloc): OneUptime's pages parsed into the records
    the supervisor view, export and history hold, everything they keep (values, times, IDs)
    counted; against the budget, and against the JSON the vendor sent for it."""
    import gc
    import tracemalloc

    from desktop.simulator import oneuptime as ou
    from desktop.vendors.oneuptime import parse_page

    items = [ou.serialized(ou.generated_attempt(ou.CALL_100K, n)) for n in range(RECORD_ATTEMPTS)]
    bodies = [json.dumps({"data": items[at : at + 100]}) for at in range(0, len(items), 100)]
    json_bytes = sum(len(json.dumps(item)) for item in items) / len(items)
    del items
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    held = [attempt for body in bodies for attempt in parse_page(json.loads(body), 0).attempts]
    gc.collect()
    per_attempt = (tracemalloc.get_traced_memory()[0] - before) / len(held)
    tracemalloc.stop()
    return [
        Figure("memory per loaded attempt (tracemalloc)", per_attempt, RECORD_BUDGET_BYTES,
               "B", "<= a few hundred bytes (baseline = 500 B)", 1.0),
        Figure("memory per loaded attempt vs its JSON from the vendor", per_attempt, json_bytes,
               "B", "reported (baseline: the attempt's JSON text)"),
    ]  # fmt: skip


def search_everywhere_figure(rounds: int) -> list[Figure]:
    """Five vendors each answering after 200 ms: the search's wall time against one vendor's."""
    from desktop.engine import LookupEngine
    from desktop.search import SearchRun, plan_search
    from desktop.simulator import leadsquared as ls
    from desktop.simulator.registry import demo_profiles, start_simulator

    lookup_paths = {
        "leadsquared": "logcallcomplete",
        "huawei-aicc": "queryCallInfo",
        "huawei-isales": "callresultdetail",
        "oneuptime": "get-list",
        "verba": "verba/api",
    }
    simulator = start_simulator()
    profiles, secrets = demo_profiles(simulator)
    engine = LookupEngine(profiles, secrets)

    async def measure() -> tuple[list[float], list[float]]:
        searches, singles = [], []
        for _ in range(rounds):
            simulator.reset()
            engine.tokens.clear()
            for vendor, path in lookup_paths.items():
                simulator.add_fault(vendor, "delay:0.2", path=path)
            started = time.perf_counter()
            async for _outcome in SearchRun(engine, plan_search(engine, ls.SUCCESS_ID)).outcomes():
                pass
            searches.append(time.perf_counter() - started)
            simulator.add_fault("leadsquared", "delay:0.2", path="logcallcomplete")
            started = time.perf_counter()
            await engine.lookup("leadsquared", {"RequestId": ls.SUCCESS_ID})
            singles.append(time.perf_counter() - started)
        await engine.aclose()
        return searches, singles

    try:
        searches, singles = asyncio.run(measure())
    finally:
        simulator.stop()
    return [
        Figure(
            f"search everywhere, 5 vendors x 200 ms (median of {rounds})",
            statistics.median(searches) * 1000,
            statistics.median(singles) * 1000,
            "ms",
            "<= 1.15x the slowest single vendor",
            1.15,
        )
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    """User and system CPU seconds of this process's children that have ended."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def review_load(_rounds: int) -> list[Figure]:
    """The busy week's 100,000 attempts loaded into the review cache from the simulator (run in
    its own process, as a server is), against the rate limit's floor: 1,000 pages at 100 per s;
    then the same load from a server replaying the recorded pages, which shows what the client
    alone reaches when the server's CPU is not taken from the same two cores."""
    import tempfile

    from desktop.analytics.cache import AttemptCache
    from desktop.analytics.loader import IN_FLIGHT, PeriodLoader
    from desktop.analytics.period import Period
    from desktop.analytics.writer import WriterProcess
    from desktop.app import resident_memory_kib
    from desktop.simulator import oneuptime as ou
    from desktop.vendors.oneuptime import period_page, period_query

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "simulate", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_env(),
    )  # fmt: skip
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "vendor simulator on ..." once it listens
        base_url = f"http://127.0.0.1:{port}/oneuptime/api"
        engine = _oneuptime_engine(base_url, "bench")
        week = Period(ou.BUSY_WEEK_START, ou.BUSY_WEEK_START + (ou._BLOCKS[1].last_updated
                                                               - ou.BUSY_WEEK_START))  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            cache = AttemptCache(Path(folder) / "attempts.sqlite3")
            rss_before = [0]
            writer_peak = [0]  # the writer process's peak resident memory, KiB
            close = WriterProcess.close

            def measured_close(writer: WriterProcess) -> None:
                status = Path(f"/proc/{writer._child.pid}/status").read_text()
                writer_peak[0] = int(status.split("VmHWM:")[1].split()[0])
                close(writer)

            cpu = [0.0, 0.0, 0.0]  # this process, the simulator, the writer process
            loop_cpu = [0.0]  # the event loop's thread alone; the rest is other threads
            bare = [0.0]

            async def bare_pages() -> float:
                """The same pages fetched and parsed as the loader does, nothing stored: what
                this machine, its load and the simulator allow at best."""
                context = PeriodLoader(engine, cache, "bench").context
                query = period_query(week.start, week.end)
                skips = iter(range(0, ou.BUSY_WEEK_SIZE, 100))

                async def worker() -> None:
                    for skip in skips:
                        await period_page(context, query, skip=skip, limit=100)

                started = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
                return time.perf_counter() - started

            async def load() -> tuple[float, float, int]:
                # The app before loading has its HTTP client ready: it prepares it at start-up.
                await engine.http_pool.prepare()
                rss_before[0] = resident_memory_kib()
                bare[0] = await bare_pages()
                loader = PeriodLoader(engine, cache, "bench")
                WriterProcess.close = measured_close  # type: ignore[method-assign, assignment]
                started = time.perf_counter()
                cpu[0], cpu[1] = time.process_time(), _cpu_seconds(server.pid)
                cpu[2] = _children_cpu_seconds()
                loop_cpu[0] = time.thread_time()
                outcome = await loader.load(week)
                loaded = time.perf_counter() - started
                loop_cpu[0] = time.thread_time() - loop_cpu[0]
                cpu[0], cpu[1] = time.process_time() - cpu[0], _cpu_seconds(server.pid) - cpu[1]
                cpu[2] = _children_cpu_seconds() - cpu[2]  # the writer has ended: it counts
                started = time.perf_counter()
                await loader.load(week)
                refreshed = time.perf_counter() - started
                await engine.aclose()
                return loaded, refreshed, outcome.total

            try:
                loaded, refreshed, total = asyncio.run(load())
            finally:
                WriterProcess.close = close  # type: ignore[method-assign]
            rss_after = resident_memory_kib()
            cache.close()
            # After the memory figure: the recorded pages are ~66 MB of text.
            pages_file = Path(folder) / "pages.json"
            asyncio.run(_record_pages(base_url, week, pages_file))
            replayed, replay_cpu = _replayed_load(pages_file, week, Path(folder) / "replay.sqlite3")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return [
        Figure(f"review: {total:,} attempts of a period loaded (pipelined, simulator process)",
               loaded, total / 100 / 100, "s", "<= 1.2x the limit's floor (pages / 100 per s)",
               1.2),
        Figure("review: the same load against the same pages fetched and parsed, nothing "
               "stored, 8 in flight (this run)", loaded, bare[0], "s",
               "reported (what the cache, its rollups and the writer add)"),
        Figure("review: CPU the load took in this process (client)", cpu[0], loaded, "s",
               "reported (baseline: the load's wall time)"),
        Figure("review: ... of it the event loop's thread (HTTP, JSON, parsing the pages)",
               loop_cpu[0], cpu[0], "s", "reported (baseline: the client's CPU)"),
        Figure("review: ... of it other threads (pages handed to the writer, the last rollup)",
               cpu[0] - loop_cpu[0], cpu[0], "s", "reported (baseline: the client's CPU)"),
        Figure("review: CPU the load took in its writer process (SQLite, rows, rollups)", cpu[2],
               loaded, "s", "reported (baseline: the load's wall time)"),
        Figure("review: CPU the load took in the simulator (server)", cpu[1], loaded, "s",
               "reported (baseline: the load's wall time)"),
        Figure("review: the same load from a replay server (the pages recorded from the "
               "simulator, served as they are: the client alone, as a vendor's server on other "
               f"hardware leaves it; server CPU {replay_cpu[1]:.1f} s, client CPU with its writer "
               f"{replay_cpu[0]:.1f} s)", replayed, total / 100 / 100, "s",
               "reported (baseline: the limit's floor)"),
        Figure("review: the same period refreshed (nothing changed)", refreshed, loaded, "s",
               "reported (baseline: the first load)"),
        Figure("review: memory after loading 100,000 attempts (before: with the HTTP client "
               "ready, as the app prepares it at start-up)", rss_after / 1024,
               rss_before[0] / 1024, "MiB", "<= 1.5x before loading", 1.5),
        Figure("review: ... and the writer process's peak while it wrote (it ends with the "
               "load)", writer_peak[0] / 1024, rss_before[0] / 1024, "MiB",
               "reported (baseline: the app before loading)"),
    ]  # fmt: skip


def _oneuptime_engine(base_url: str, profile_name: str) -> LookupEngine:
    """An engine with one OneUptime profile at ``base_url`` (the simulator's admin key)."""
    from desktop.core.credentials import MemorySecretStore
    from desktop.core.profiles import Profile, ProfileStore
    from desktop.engine import LookupEngine
    from desktop.simulator import oneuptime as ou

    profile = Profile(vendor="oneuptime", name=profile_name, timeout=30, base_url=base_url,
                      settings={"projectId": ou.PROJECT_ID, "limit": "100"})  # fmt: skip
    secrets = MemorySecretStore({("oneuptime", profile_name, "ApiKey"): ou.ADMIN_KEY})
    return LookupEngine(ProfileStore(None, [profile], transient=True), secrets)


async def _record_pages(base_url: str, week: Period, pages_file: Path) -> None:
    """Every page of ``week`` as the loader asks for it, each body kept by its ``skip`` in
    ``pages_file`` for ``tests.benchmarks.replay_server``."""
    from desktop.simulator import oneuptime as ou
    from desktop.vendors import get_vendor
    from desktop.vendors.oneuptime import period_page, period_query

    engine = _oneuptime_engine(base_url, "record")
    context = engine.context_for(get_vendor("oneuptime"), engine.profiles.resolve("oneuptime"))
    context.http.deadline = None
    recorded: dict[str, str] = {}
    send = context.http.request

    async def recording(*args: Any, **options: Any) -> HttpResponse:
        response = await send(*args, **options)
        recorded[options["params"]["skip"]] = response.body.decode("utf-8")
        return response

    context.http.request = recording  # type: ignore[method-assign]
    query = period_query(week.start, week.end)
    try:
        for skip in range(0, ou.BUSY_WEEK_SIZE, 100):
            await period_page(context, query, skip=skip, limit=100, user_names=True)
    finally:
        await engine.aclose()
    pages_file.write_text(json.dumps(recorded), encoding="utf-8")


def _replayed_load(pages_file: Path, week: Period, cache_file: Path) -> tuple[float, list[float]]:
    """The review load of ``week`` from ``tests.benchmarks.replay_server`` serving the recorded
    pages, into a cache of its own: (wall seconds, [client CPU with its writer process, server
    CPU])."""
    from desktop.analytics.cache import AttemptCache
    from desktop.analytics.loader import PeriodLoader

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.replay_server", str(pages_file), str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_env(),
    )  # fmt: skip
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "replaying ..." once it listens
        engine = _oneuptime_engine(f"http://127.0.0.1:{port}/oneuptime/api", "replay")
        cache = AttemptCache(cache_file)

        async def load() -> tuple[float, list[float]]:
            loader = PeriodLoader(engine, cache, "replay")
            started = time.perf_counter()
            cpu = time.process_time() + _children_cpu_seconds()
            server_cpu = _cpu_seconds(server.pid)
            await loader.load(week)
            wall = time.perf_counter() - started
            used = [
                time.process_time() + _children_cpu_seconds() - cpu,
                _cpu_seconds(server.pid) - server_cpu,
            ]
            await engine.aclose()
            return wall, used

        try:
            return asyncio.run(load())
        finally:
            cache.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


MILLION = 1_000_000


def review_report(_rounds: int) -> list[Figure]:
    """The review's figures over 1,000,000 generated cached attempts (30 local days), each step
    in the blocking pool as the app runs it while the event loop ticks every 10 ms: bringing the
    day and call rollups up to date after the writes (the loader does it at the end of a load),
    every figure but the per-call list (read from the day rollups), and the per-call list (read
    from the call rollup), which together are the whole report."""
    import random
    import tempfile
    from datetime import datetime

    from desktop.analytics.cache import AttemptCache, CachedAttempt, Filters
    from desktop.analytics.figures import call_rows, full_report
    from desktop.analytics.period import days
    from desktop.core.blocking import run_blocking

    rng = random.Random(21)
    start = 1_767_225_600.0  # 2026-01-01 UTC; 30 days of attempts
    spacing = 2.592
    users = [f"user-{n:02d}" for n in range(40)]
    rules = [f"rule-{n}" for n in range(6)]
    statuses = ("Connected", "NoAnswer", "Busy", "Failed")
    with tempfile.TemporaryDirectory() as folder:
        cache = AttemptCache(Path(folder) / "attempts.sqlite3")
        batch: list[CachedAttempt] = []
        for index in range(MILLION):
            status = statuses[rng.randrange(4)]
            started = start + index * spacing
            batch.append(CachedAttempt(
                f"{index:036d}", f"call-{index // 3}", users[rng.randrange(40)],
                rules[rng.randrange(6)], status, int(status == "Connected"),
                float(rng.randrange(5, 120)), float(rng.randrange(1, 6)), started, started,
            ))  # fmt: skip
            if len(batch) == 50_000:
                cache.upsert("bench", batch)
                batch = []
        first_day = datetime.fromtimestamp(start).date()
        last_day = datetime.fromtimestamp(start + (MILLION - 1) * spacing).date()
        period = days(first_day, last_day)

        async def timed(step: Callable[[], Any]) -> tuple[float, _StallWatch, Any]:
            watch = _StallWatch()
            watch.start()
            started = time.perf_counter()
            result = await run_blocking(step)
            elapsed = time.perf_counter() - started
            await watch.stop()
            return elapsed, watch, result

        async def measure() -> list[tuple[float, _StallWatch, Any]]:
            return [
                await timed(cache.refresh_rollup),
                await timed(lambda: full_report(cache, "bench", period, Filters())),
                await timed(lambda: call_rows(cache, "bench", period, Filters())),
            ]

        (
            (refreshed, refresh_watch, _days), (elapsed, watch, report),
            (listed, list_watch, calls),
        ) = asyncio.run(measure())  # fmt: skip
        cache.close()
        written = Path(folder) / "calls.json"
        cli_listed, cli_cpu = _cli_report_seconds(
            Path(folder) / "attempts.sqlite3", (first_day, last_day), written
        )
        with written.open(encoding="utf-8") as output:
            cli_calls = json.load(output)
    assert report.total.attempts == MILLION
    assert len(cli_calls) == len(calls)
    return [
        Figure("review: day and call rollups brought up to date after writing 1,000,000 "
               f"attempts (30 days, {len(calls):,} calls; loop stall "
               f"{refresh_watch.worst_cpu_ms:.0f} ms CPU, "
               f"{refresh_watch.worst_wall_ms:.0f} ms wall)", refreshed, 3.0, "s",
               "reported (baseline = 3 s)"),
        Figure("review: every figure but the per-call list over 1,000,000 cached attempts",
               elapsed, 3.0, "s", "under 3 s (baseline = 3 s)", 1.0),
        Figure("review: largest event-loop stall meanwhile, the loop's own CPU time (as wall "
               f"time, waits for a CPU included: {watch.worst_wall_ms:.0f} ms)",
               watch.worst_cpu_ms, STALL_BOUND_MS, "ms", "< 50 ms", 1.0),
        Figure(f"review: the per-call list over 1,000,000 cached attempts ({len(calls):,} calls, "
               f"the review's rows; loop stall {list_watch.worst_cpu_ms:.0f} ms CPU, "
               f"{list_watch.worst_wall_ms:.0f} ms wall)", listed, 3.0, "s",
               "reported (baseline = 3 s)"),
        Figure("review: the same list as the CLI writes it (calllookup-cli oneuptime report "
               "--by call --format json to a file: its own process, start, figures and output; "
               f"without the load; {cli_cpu:.2f} s of CPU)", cli_listed, 3.0, "s",
               "under 3 s (baseline = 3 s)", 1.0),
        Figure("review: the whole report (every figure and the per-call list) over 1,000,000 "
               "cached attempts", elapsed + listed, 3.0, "s", "under 3 s (baseline = 3 s)", 1.0),
        Figure("review: largest event-loop stall over the per-call list, the loop's own CPU time "
               f"(as wall time: {list_watch.worst_wall_ms:.0f} ms)", list_watch.worst_cpu_ms,
               STALL_BOUND_MS, "ms", "< 50 ms", 1.0),
    ]  # fmt: skip


#: Bulk IDs per run: the quick run's counts; --long multiplies them by BULK_LONG_SCALE
#: (1,000 LeadSquared and 10,000 OneUptime IDs, as issue 20 asks).
BULK_LEADSQUARED_IDS = 100
BULK_ONEUPTIME_IDS = 1000
BULK_LONG_SCALE = 10
#: The window's responsiveness bound: no stall over this.
STALL_BOUND_MS = 50.0

#: The CLI run in a child that reports its peak resident memory (VmHWM: the high-water mark of
#: this program's own memory; ru_maxrss would carry the parent's peak across exec).
_PEAK_RSS_CLI = (
    "import sys\n"
    "from desktop.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "with open('/proc/self/status') as status:\n"
    "    peak = next(line.split()[1] for line in status if line.startswith('VmHWM:'))\n"
    "sys.stderr.write(f'MAXRSS_KIB {peak}\\n')\n"
    "raise SystemExit(code)\n"
)


#: What ``calllookup-cli oneuptime report --by call --format json`` runs once the period is in
#: the cache, in a process of its own: cache file, first and last day as arguments.
_CLI_REPORT = (
    "import sys\n"
    "from datetime import date\n"
    "from pathlib import Path\n"
    "from desktop.analytics.cache import AttemptCache, Filters\n"
    "from desktop.analytics.figures import GroupBy\n"
    "from desktop.analytics.period import days\n"
    "from desktop.analytics.report_cli import write_period_report\n"
    "cache = AttemptCache(Path(sys.argv[1]))\n"
    "period = days(date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3]))\n"
    "write_period_report(cache, 'bench', period, Filters(), by=GroupBy.CALL, fmt='json',\n"
    "                    out=sys.stdout)\n"
    "cache.close()\n"
)


def _cli_report_seconds(cache: Path, period: tuple[Any, Any], written: Path) -> tuple[float, float]:
    """Wall and CPU time of the CLI's per-call report over the cache as a user runs it, its
    output redirected to a file (the load from the vendor aside: the cache is filled already);
    the period as its first and last day."""
    import resource

    first, last = period
    with written.open("w", encoding="utf-8") as output:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", _CLI_REPORT, str(cache), str(first), str(last)],
            stdout=output, env=_env(), check=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


class _StallWatch:
    """A 10 ms ticker on the running loop: the longest gap between ticks as wall time, and as
    the loop thread's own CPU time (on a loaded machine most of a wall stall is the process
    waiting for a CPU, not the loop being busy)."""

    def __init__(self) -> None:
        self.worst_wall_ms = 0.0
        self.worst_cpu_ms = 0.0
        self._stop = asyncio.Event()
        self._task: asyncio.Future[None] | None = None

    async def _tick(self) -> None:
        while not self._stop.is_set():
            wall, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.01)
            self.worst_wall_ms = max(self.worst_wall_ms, (time.perf_counter() - wall - 0.01) * 1000)
            self.worst_cpu_ms = max(self.worst_cpu_ms, (time.thread_time() - cpu) * 1000)

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._tick())

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task


async def _core_bulk_run(
    engine: Any, vendor: str, field: str, ids: list[str]
) -> tuple[float, int, _StallWatch]:
    """Wall seconds and answers of a bulk run with the core runner (as the CLI runs it)."""
    from desktop.bulk import BulkRun, plan_jobs

    job = plan_jobs(engine, vendor, None, field)[0]
    watch = _StallWatch()
    watch.start()
    answered = 0
    started = time.perf_counter()
    async for outcome in BulkRun(engine, job, ids).outcomes():
        answered += outcome.state.is_final
    wall = time.perf_counter() - started
    await watch.stop()
    await engine.aclose()
    return wall, answered, watch


def _window_bulk_run(port: int, ids: list[str]) -> tuple[float, float, int, _StallWatch]:
    """Wall and CPU seconds and answers of OneUptime attempt IDs run in the bulk window
    (offscreen, on the app's qasync loop), pasted as a column headed '_id'."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.core.bulk_io import parse_text
    from desktop.engine import LookupEngine
    from desktop.ui.bulk_window import BulkWindow
    from desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    engine = LookupEngine(*_simulator_profiles(port))
    failures: list[BaseException] = []
    window = BulkWindow(engine, TaskRunner(failures.append))
    window.show()
    window.set_table(parse_text("\n".join(["_id", *ids])))  # headed: the IDs go to _id
    window.vendor_combo.setCurrentIndex(window.vendor_combo.findData("oneuptime"))
    watch = _StallWatch()

    async def run() -> tuple[float, float]:
        watch.start()
        started, cpu = time.perf_counter(), time.process_time()
        window.start()
        while window.running:
            await asyncio.sleep(0.05)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        await watch.stop()
        await engine.aclose()
        return wall, cpu

    wall, cpu = loop.run_until_complete(run())
    answered = window.progress.value()
    window.close()
    loop.close()
    if failures:
        raise failures[0]
    return wall, cpu, answered, watch


def _cli_peak_rss_kib(env: dict[str, str], ids: list[str], output: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS_CLI, "bulk", "oneuptime", "-", "--field", "_id",
         "--output", output],
        input="\n".join(ids) + "\n", capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    line = next((x for x in done.stderr.splitlines() if x.startswith("MAXRSS_KIB")), None)
    if line is None:
        raise RuntimeError(f"bulk CLI failed: {done.stderr[-500:]}")
    return int(line.split()[1])


def _serve_simulator(connection: Any) -> None:
    """The simulator in its own process (as a vendor is): its threads do not take the client's
    GIL. Sends its port, waits for any message, sends back the 429s it sent, and stops."""
    from desktop.simulator.registry import start_simulator

    simulator = start_simulator()
    connection.send(simulator.port)
    connection.recv()
    connection.send(dict(simulator.too_many_requests))
    simulator.stop()


class _SimulatorProcess:
    """The simulator in a process of its own while the block runs: ``port`` to reach it, and
    after the block ``throttled``, the 429s it sent by vendor key."""

    def __enter__(self) -> _SimulatorProcess:
        import multiprocessing

        self._ours, theirs = multiprocessing.Pipe()
        self._server = multiprocessing.Process(target=_serve_simulator, args=(theirs,),
                                               daemon=True)  # fmt: skip
        self._server.start()
        self.port: int = self._ours.recv()
        self.throttled: dict[str, int] = {}
        return self

    def __exit__(self, *_exc: object) -> None:
        self._ours.send("stop")
        self.throttled = self._ours.recv()
        self._server.join(10)


def _simulator_profiles(port: int) -> tuple[Any, Any]:
    """Demo profiles and secrets for a simulator listening on ``port`` in another process."""
    from desktop.core.credentials import MemorySecretStore
    from desktop.core.profiles import Profile, ProfileStore
    from desktop.simulator.registry import DEMO_PROFILE_NAME, all_vendor_simulators

    profiles, secrets = [], {}
    for vendor in all_vendor_simulators():
        base_url = f"http://127.0.0.1:{port}/{vendor.key}{vendor.demo.base_path}"
        profiles.append(Profile(vendor=vendor.key, name=DEMO_PROFILE_NAME, base_url=base_url,
                                timeout=10, settings=dict(vendor.demo.settings)))  # fmt: skip
        for name, value in vendor.demo.secrets.items():
            secrets[(vendor.key, DEMO_PROFILE_NAME, name)] = value
    return ProfileStore.in_memory(profiles), MemorySecretStore(secrets)


def bulk_figures(scale: int) -> list[Figure]:
    """Bulk lookups at the vendors' own limits against the simulator (in its own process):
    LeadSquared with the core runner, OneUptime in the bulk window; wall time against the
    limit's floor, 429s the simulator sent, the window's largest event-loop stall, and the
    CLI's peak memory for N IDs against N/10."""
    import tempfile

    from desktop.engine import LookupEngine
    from desktop.simulator.oneuptime import CALL_100K, OneUptimeSimulator, generated_attempt

    leadsquared_ids = [f"33333333-3333-4333-8333-{n:012d}"
                       for n in range(BULK_LEADSQUARED_IDS * scale)]  # fmt: skip
    oneuptime_ids = [generated_attempt(CALL_100K, n)["_id"]
                     for n in range(BULK_ONEUPTIME_IDS * scale)]  # fmt: skip
    with _SimulatorProcess() as simulator:
        port = simulator.port
        ls_wall, ls_done, ls_watch = asyncio.run(
            _core_bulk_run(LookupEngine(*_simulator_profiles(port)), "leadsquared", "RequestId",
                           leadsquared_ids)
        )  # fmt: skip
        ou_wall, ou_cpu, ou_done, ou_watch = _window_bulk_run(port, oneuptime_ids)
        cpu_ms_per_id = ou_cpu * 1000 / max(1, ou_done)
        with tempfile.TemporaryDirectory() as home:
            env = _env() | {"CALLLOOKUP_CONFIG_DIR": f"{home}/config",
                            "CALLLOOKUP_DATA_DIR": f"{home}/data",
                            "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
                            "CALLLOOKUP_TEST_KEYRING_FILE": f"{home}/keyring.json"}  # fmt: skip
            demo = OneUptimeSimulator.demo
            subprocess.run(
                [sys.executable, "-m", "desktop.cli", "profile", "set", "oneuptime", "default",
                 "--base-url", f"http://127.0.0.1:{port}/oneuptime{demo.base_path}",
                 *[f"--set={k}={v}" for k, v in demo.settings.items()], "--secrets-stdin"],
                input="".join(f"{k}={v}\n" for k, v in demo.secrets.items()), env=env,
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            # Flat means the same peak for ten times the IDs (one ID would leave out the
            # connections and workers every real run has).
            tenth = oneuptime_ids[: len(oneuptime_ids) // 10]
            tenth_rss = _cli_peak_rss_kib(env, tenth, f"{home}/tenth.jsonl")
            many_ids_rss = _cli_peak_rss_kib(env, oneuptime_ids, f"{home}/many.jsonl")
    throttled = simulator.throttled
    load = os.getloadavg()[0]
    ls_floor = len(leadsquared_ids) / 25 * 5
    ou_floor = len(oneuptime_ids) / 100
    return [
        Figure(f"bulk: {len(leadsquared_ids):,} LeadSquared IDs at 25 per 5 s, wall vs the "
               f"limit's floor ({ls_done} answered, {throttled.get('leadsquared', 0)} 429s)",
               ls_wall, ls_floor, "s", "<= 1.05x the floor, zero 429s", 1.05),
        Figure(f"bulk window: {len(oneuptime_ids):,} OneUptime attempt IDs at 100 per s, wall "
               f"vs the limit's floor ({ou_done} answered, {throttled.get('oneuptime', 0)} 429s; "
               f"CPU {cpu_ms_per_id:.1f} ms per ID, load average {load:.1f})",
               ou_wall, ou_floor, "s", "<= 1.1x the floor", 1.1),
        Figure(f"bulk: CLI peak memory, {len(oneuptime_ids):,} IDs vs {len(tenth):,} IDs",
               many_ids_rss / 1024, tenth_rss / 1024, "MiB", "flat: <= 1.1x", 1.1),
        Figure(f"bulk window: largest event-loop stall, the loop's own CPU time, vs 50 ms (as "
               f"wall time, waits for a CPU included: {ou_watch.worst_wall_ms:.0f} ms; the "
               f"LeadSquared core run: {ls_watch.worst_cpu_ms:.0f} ms CPU, "
               f"{ls_watch.worst_wall_ms:.0f} ms wall)",
               ou_watch.worst_cpu_ms, STALL_BOUND_MS, "ms", "<= 1x (50 ms)", 1.0),
    ]  # fmt: skip


def render_table(figures: list[Figure]) -> str:
    lines = [
        "| figure | value | baseline | ratio | target | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for figure in figures:
        lines.append(
            f"| {figure.name} | {figure.value:.3g} {figure.unit} | {figure.baseline:.3g} "
            f"{figure.unit} | {figure.ratio:.2f}x | {figure.target} | {figure.verdict()} |"
        )
    return "\n".join(lines)


MEASUREMENTS: dict[str, Callable[[int], list[Figure]]] = {
    "startup": startup_and_memory,
    "lookup": lookup_overhead,
    "attempts": escalation_list,
    "attempt_record": attempt_record_memory,
    "search": search_everywhere_figure,
    "review_load": review_load,
    "review_report": review_report,
    "bulk": bulk_figures,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke run")
    parser.add_argument("--only", choices=list(MEASUREMENTS), action="append")
    parser.add_argument(
        "--long", action="store_true",
        help=f"bulk rows at full size ({BULK_LEADSQUARED_IDS * BULK_LONG_SCALE:,} LeadSquared, "
        f"{BULK_ONEUPTIME_IDS * BULK_LONG_SCALE:,} OneUptime IDs: about 7 minutes)",
    )  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    rounds = {
        "startup": 3 if args.quick else 7,
        "lookup": 20 if args.quick else 200,
        "attempts": 1,
        "attempt_record": 1,
        "search": 3 if args.quick else 10,
        "review_load": 1,
        "review_report": 1,
        "bulk": BULK_LONG_SCALE if args.long else 1,
    }
    figures: list[Figure] = []
    for name in args.only or list(MEASUREMENTS):
        figures.extend(MEASUREMENTS[name](rounds[name]))
    print(
        f"CallLookup benchmark on {platform.node()}: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    print(render_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
