"""Downloads that end: a deadline, a size cap, redirect loops, and nothing left behind.

A local HTTP server plays the misbehaving mirrors: one drips bytes, one never
ends, one announces more than the file can have, one redirects in a loop, one
never answers.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from numnet import _atomic
from numnet.data import DatasetError
from numnet.data.download import DOWNLOAD_DEADLINE, download_verified

BODY = bytes(range(256)) * 40  # 10,240 bytes


class Mirror(BaseHTTPRequestHandler):
    """/good/f serves BODY; /drip/f, /endless/f, /huge/f, /loop/f and /silent/f misbehave."""

    def do_GET(self) -> None:
        kind = self.path.split("/")[1]
        if kind == "loop":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.end_headers()
            return
        if kind == "silent":
            time.sleep(3)
            return
        self.send_response(200)
        if kind == "good":
            self.send_header("Content-Length", str(len(BODY)))
        elif kind in ("drip", "huge"):
            self.send_header("Content-Length", str(10**9 if kind == "huge" else len(BODY)))
        self.end_headers()
        try:
            if kind == "good":
                self.wfile.write(BODY)
            elif kind == "drip":
                for byte in BODY:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.02)
            elif kind == "endless":
                while True:
                    self.wfile.write(bytes(65536))
        except OSError:  # the client hung up, as it should
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "numnet" / "data"


def _fetch(server: str, kind: str, cache: Path, **limits: float) -> bytes:
    return download_verified("f", [f"{server}/{kind}/"], cache, lambda path: path.read_bytes(), verbose=False, **limits)


def _fails(server: str, kind: str, cache: Path, match: str, **limits: float) -> float:
    """Seconds until the download of ``kind`` failed with ``match``; nothing may be left behind."""
    started = time.monotonic()
    with pytest.raises(DatasetError, match=match):
        _fetch(server, kind, cache, **limits)
    assert not cache.parents[1].exists()  # no temporary file, no empty folders
    return time.monotonic() - started


def test_a_good_mirror_delivers_within_its_limits(server, cache):
    assert _fetch(server, "good", cache, max_bytes=len(BODY), deadline=10) == BODY
    assert [p.name for p in cache.iterdir()] == ["f"]
    assert DOWNLOAD_DEADLINE == 900


def test_a_mirror_that_drips_is_cut_off_at_its_deadline(server, cache):
    seconds = _fails(server, "drip", cache, r"/drip/f: DatasetError: the download took longer than 0.5 s", deadline=0.5)
    assert seconds < 2


def test_a_mirror_that_never_ends_is_cut_off_at_the_size_cap(server, cache):
    seconds = _fails(
        server, "endless", cache, r"the server sent more than this file can have \(100,000 bytes\)", max_bytes=100_000
    )
    assert seconds < 5


def test_a_mirror_that_announces_too_much_is_refused_before_reading(server, cache):
    _fails(
        server,
        "huge",
        cache,
        r"the server announces 1,000,000,000 bytes, more than this file can have \(10,240\)",
        max_bytes=len(BODY),
    )


def test_a_redirect_loop_ends(server, cache):
    _fails(server, "loop", cache, r"/loop/f: HTTPError: HTTP Error 302: The HTTP server returned a redirect error")


def test_a_silent_mirror_times_out(server, cache):
    assert _fails(server, "silent", cache, r"/silent/f: (TimeoutError|URLError)", timeout=0.5, deadline=10) < 2.5


def test_a_refused_connection_leaves_no_folder(cache):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _fails(f"http://127.0.0.1:{port}", "good", cache, r"URLError")


def test_leftovers_of_a_killed_download_are_removed_by_the_next_one(server, cache):
    cache.mkdir(parents=True)
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    stale = cache / f".f.{_atomic._HOST}.{process.pid}.{'cd' * 8}.numnet-tmp"
    stale.write_bytes(b"half a download")
    foreign = cache / ".f.partial-of-another-program"
    foreign.write_bytes(b"not ours")
    assert _fetch(server, "good", cache) == BODY
    assert sorted(p.name for p in cache.iterdir()) == [foreign.name, "f"]
