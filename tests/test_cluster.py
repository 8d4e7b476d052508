"""refcheck audit on a Dask cluster: the same report as one machine, limits kept fleet-wide.

The tests start their own LocalCluster (two worker processes), redis-server on a free
loopback port (the ``redis_url`` fixture) and a web stand-in on 127.0.0.1 that publishes
a rate limit and counts what it receives.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from refcheck import cluster, engine
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.net.ratelimit import redis_limiter
from refcheck.report import json as json_report

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0")
    c = distributed.Client(local)
    try:
        yield c
    finally:
        c.close()
        local.close()


def corpus(tmp_path: Path) -> Path:
    """The seeds twice over, and a Markdown paper citing a bibliography in another folder."""
    root = tmp_path / "corpus"
    for name in ("a", "b"):
        shutil.copytree(ROOT / "references", root / name)
    (root / "paper").mkdir()
    (root / "paper" / "paper.md").write_text(
        "# Paper\n\nAs shown before [@lecun2015; @nobody2020].\n", encoding="utf-8")
    # A LaTeX paper outside the walked tree whose bibliography is pulled in by name.
    (tmp_path / "tex").mkdir()
    (tmp_path / "tex" / "paper.tex").write_text(
        "\\documentclass{article}\\begin{document}\\cite{lecun2015,ghost2019}"
        "\\bibliography{../corpus/zbib/refs}\\end{document}\n", encoding="utf-8")
    (root / "zbib").mkdir()
    (root / "zbib" / "refs.bib").write_text(
        "@article{lecun2015,\n  author = {LeCun, Yann and Bengio, Yoshua},\n"
        "  title = {Deep learning},\n  journal = {Nature},\n  year = {2015},\n"
        "  volume = {521},\n  pages = {436--444}\n}\n", encoding="utf-8")
    return root


def findings_json(result: Any) -> Any:
    data = json.loads(json_report.render(result))
    return data["files"], data["findings"], data["summary"]


def test_cluster_audit_writes_the_single_machine_reports(tmp_path: Path) -> None:
    root = corpus(tmp_path)
    one, fleet = tmp_path / "one", tmp_path / "fleet"
    tex = str(tmp_path / "tex" / "paper.tex")
    assert main(["audit", "--offline", str(root), tex, "--out", str(one)]) == 1
    assert main(["audit", "--offline", str(root), tex, "--out", str(fleet),
                 "--cluster", "local", "--workers", "2"]) == 1
    for name in ("report.json", "report.md", "report.html"):
        assert (one / name).read_bytes() == (fleet / name).read_bytes(), name
    data = json.loads((fleet / "report.json").read_text(encoding="utf-8"))
    # The corpus-wide rule ran on the gathered documents: a key cited in one folder is
    # looked up in the bibliography of another.
    cited = [f for f in data["findings"] if f["path"].endswith("paper.md")]
    assert [f["text"] for f in cited if f["category"] == "citation"] == ["nobody2020"]
    latex = [f for f in data["findings"] if f["path"].endswith("paper.tex")]
    assert [f["text"] for f in latex if f["category"] == "citation"] == ["ghost2019"]
    # The LocalCluster the run started is closed while the reports are written (by now
    # the closing may be over already): it ends, it does not hang.
    closing = [t for t in threading.enumerate() if t.name == "refcheck-cluster-close"]
    for thread in closing:
        thread.join(60)
    assert not any(t.is_alive() for t in closing)


def test_a_worker_that_dies_changes_nothing(tmp_path: Path, client: Any) -> None:
    root = corpus(tmp_path)
    settings = Settings(offline=True)
    expected = findings_json(engine.run([str(root)], settings))
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if killed:
            return
        pid = next(iter(pids.values()))
        killed.append(pid)
        # The worker process dies mid-run; its tasks go to the other worker (or a new one).
        os.kill(pid, signal.SIGKILL)

    result, stats = cluster.run([str(root)], settings, "unused", client=client,
                                progress=kill_one)
    assert killed
    assert findings_json(result) == expected
    assert stats.documents == len(result.documents) == len(expected[0])


def test_workers_run_without_the_sampling_profiler_on_python_3_11(tmp_path: Path,
                                                                   client: Any) -> None:
    """Dask's stack sampling can deadlock a 3.11 worker that starts threads (CPython
    106883): refcheck's plugin takes it out on every worker that runs 3.11."""
    root = tmp_path / "c"
    root.mkdir()
    (root / "r.bib").write_text("@misc{a, title={A}, year={2020}}\n", encoding="utf-8")
    cluster.run([str(root)], Settings(offline=True), "unused", client=client)
    profiled = client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    assert profiled and set(profiled.values()) == {sys.version_info >= (3, 12)}


class _Host(BaseHTTPRequestHandler):
    """Answers 200 and publishes a limit of LIMIT requests a second; one 429 on request 15."""

    LIMIT = 8
    times: ClassVar[list[float]] = []
    lock = threading.Lock()
    throttled_at: ClassVar[list[float]] = []

    def _answer(self) -> None:
        with self.lock:
            self.times.append(time.monotonic())
            n = len(self.times)
        if n == 15:
            self.throttled_at.append(time.monotonic())
            self.send_response(429)
            self.send_header("Retry-After", "1")
        else:
            self.send_response(200)
        self.send_header("X-Rate-Limit-Limit", str(self.LIMIT))
        self.send_header("X-Rate-Limit-Interval", "1s")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web() -> Iterator[str]:
    _Host.times = []
    _Host.throttled_at = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Host)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def most_in_a_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
def test_the_fleet_stays_within_a_hosts_limit(tmp_path: Path, client: Any, web: str,
                                              redis_url: str) -> None:
    root = tmp_path / "links"
    root.mkdir()
    for d in range(8):
        lines = [f"{i + 1}. Page {d}-{i}. {web}/doc/{d}/{i} (accessed 2024)." for i in range(5)]
        (root / f"list{d}.txt").write_text("References\n\n" + "\n".join(lines) + "\n",
                                           encoding="utf-8")
    settings = Settings(select=["RC501", "RC502", "RC503"], allow_hosts=["127.0.0.1"],
                        cache_dir=str(tmp_path / "cache"), redis_url=redis_url, timeout=5.0)
    result, stats = cluster.run([str(root)], settings, "unused", client=client)
    times = list(_Host.times)
    assert len(times) >= 40  # every link asked (the throttled one again)
    # Two workers together never exceed what the host published, in any one-second window
    # (arrivals, not grants, are counted here: 0.1 s is left for a loaded machine's jitter).
    assert most_in_a_window(times, 0.9) <= _Host.LIMIT
    # After the 429 with Retry-After: 1, nobody in the fleet asked for a second (requests
    # already on their way when it was answered arrive within a moment).
    throttled = _Host.throttled_at[0]
    assert not [t for t in times if throttled + 0.1 < t < throttled + 0.9]
    assert stats.sent_by_host.get("127.0.0.1", 0) >= 40
    assert not [f for f in result.findings if f.category.value == "link"]


def test_limits_and_pauses_are_seen_by_every_limiter(redis_url: str) -> None:
    pytest.importorskip("redis")
    a = redis_limiter(redis_url, concurrency={"h": 2})
    b = redis_limiter(redis_url, concurrency={"h": 2})
    a.seen("h")  # the host has answered once: its concurrency limit applies, not one
    inside, most = [0], [0]
    lock = threading.Lock()

    def request(limiter: Any) -> None:
        with limiter.hold("h"):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=request, args=(lim,)) for lim in (a, b) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most[0] == 2  # concurrency held across both limiters, and used
    # A limit learnt by one holds the other back: three requests may leave at once, the
    # fourth only one window (0.3 s and 2 %) after the first *ended*, however late its
    # thread sent it.
    a.learn("r", 3, 0.3)
    starts, ends = [], []
    for i in range(4):
        with b.hold("r"):
            starts.append(time.monotonic())
            if i == 0:
                time.sleep(0.2)
        ends.append(time.monotonic())
    assert starts[2] - starts[1] < 0.1
    assert starts[3] - ends[0] >= 0.3 * 1.02 - 0.01
    # A pause asked for by one holds the other back.
    a.pause("p", 0.5)
    started = time.monotonic()
    with b.hold("p"):
        pass
    assert time.monotonic() - started >= 0.4


def test_a_cluster_that_cannot_be_reached_is_one_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "2s")
    (tmp_path / "r.bib").write_text("@misc{a, title={A}, year={2020}}\n", encoding="utf-8")
    code = main(["audit", "--offline", str(tmp_path / "r.bib"), "--out", str(tmp_path / "o"),
                 "--cluster", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot reach the scheduler" in err and "Traceback" not in err


@pytest.mark.parametrize("rate", ['"fast"', "0", "-1", "true"])
def test_host_rates_must_be_positive_numbers(tmp_path: Path, rate: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "refcheck.toml").write_text(f'host-rates = {{ "api.example.org" = {rate} }}\n',
                                            encoding="utf-8")
    (tmp_path / "r.bib").write_text("@misc{a, title={A}, year={2020}}\n", encoding="utf-8")
    code = main(["check", "--offline", "--config", str(tmp_path / "refcheck.toml"),
                 str(tmp_path / "r.bib")])
    assert code == 2 and "host-rates" in capsys.readouterr().err
