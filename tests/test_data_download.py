"""Downloading MNIST from mirrors: a real HTTP server on 127.0.0.1 serves copies
of the shared files (good), corrupted copies (bad), nothing (404) or a cut-off
transfer; the cache is isolated through XDG_CACHE_HOME.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data
from numnet.data import DatasetError, load_mnist
from numnet.data.download import download_verified
from numnet.data.mnist import DATASETS, decode_idx

MNIST = DATASETS["mnist"]


class CountingHandler(SimpleHTTPRequestHandler):
    """Serves a directory; records each request path; '/short/...' cuts its body short."""

    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        if self.path.startswith("/short/"):
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"\x1f\x8b" + bytes(8))
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _corrupt(name: str, gz: bytes) -> bytes:
    """A differently broken .gz for each file, each one a real mirror's failure."""
    if name.startswith("train-images"):
        return gz[:-5000]  # cut off
    content = gzip.decompress(gz)
    if name.startswith("train-labels"):
        return gzip.compress((2051).to_bytes(4, "big") + content[4:], compresslevel=1)  # wrong magic
    if name.startswith("t10k-images"):
        return gzip.compress(content[:-1] + b"\x01", compresslevel=1)  # last pixel changed
    return b"<html>not found</html>"  # an error page served with status 200


@pytest.fixture(scope="module")
def source() -> Path:
    return shared_data("mnist")


@pytest.fixture(scope="module")
def mirrors(source, tmp_path_factory):
    """Mirrors under http://127.0.0.1:<port>/{good,bad,empty,short}/ and the request log."""
    root = tmp_path_factory.mktemp("www")
    for mirror in ("good", "bad", "empty"):
        (root / mirror).mkdir()
    for spec in MNIST:
        (root / "good" / spec.gz_name).symlink_to(source / spec.gz_name)
        gz = (source / spec.gz_name).read_bytes()
        (root / "bad" / spec.gz_name).write_bytes(_corrupt(spec.name, gz))
    requests: list[str] = []
    handler = partial(type("Handler", (CountingHandler,), {"requests": requests}), directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield base, requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def server(mirrors):
    """The mirrors' base URL and a request log emptied for each test."""
    base, requests = mirrors
    requests.clear()
    return base, requests


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NUMNET_DATA_DIR", raising=False)
    return tmp_path / "cache" / "numnet" / "mnist"


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def assert_cached_files_verified(cache: Path) -> None:
    assert sorted(p.name for p in cache.iterdir()) == sorted(spec.gz_name for spec in MNIST)
    for spec in MNIST:
        content = gzip.decompress((cache / spec.gz_name).read_bytes())
        assert hashlib.sha256(content).hexdigest() == spec.sha256


def test_downloads_verifies_and_caches(server, cache):
    base, requests = server
    (x_train, t_train), (x_test, _t_test) = load_mnist(mirrors=[f"{base}/good/"], verbose=False)
    assert sorted(requests) == sorted(f"/good/{spec.gz_name}" for spec in MNIST)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    np.testing.assert_array_equal(t_train[:5], [5, 0, 4, 1, 9])
    assert_cached_files_verified(cache)

    (x_again, t_again), _ = load_mnist(mirrors=[f"{base}/good/"], verbose=False)
    assert len(requests) == 4  # served from the cache this time
    assert np.array_equal(x_again, x_train) and np.array_equal(t_again, t_train)


def test_rejects_bad_mirrors_in_favour_of_the_next_good_one(server, cache):
    base, requests = server
    mirrors = [closed_port_url(), f"{base}/empty", f"{base}/short/", f"{base}/bad/", f"{base}/good/"]
    (_, _t_train), (_, t_test) = load_mnist(mirrors=mirrors, verbose=False)
    for spec in MNIST:
        for mirror in ("empty", "short", "bad", "good"):
            assert requests.count(f"/{mirror}/{spec.gz_name}") == 1
    np.testing.assert_array_equal(t_test[:5], [7, 2, 1, 0, 4])
    assert_cached_files_verified(cache)


def test_all_mirrors_bad_lists_each_failure_and_leaves_nothing(server, cache):
    base, _ = server
    refused = closed_port_url()
    mirrors = [refused, f"{base}/empty/", f"{base}/short/", f"{base}/bad/"]
    with pytest.raises(DatasetError) as error:
        load_mnist(mirrors=mirrors, verbose=False)
    message = str(error.value)
    assert "could not download train-images-idx3-ubyte.gz from any of 4 mirror(s)" in message
    assert f"{refused}train-images-idx3-ubyte.gz: URLError" in message
    assert f"{base}/empty/train-images-idx3-ubyte.gz: HTTPError: HTTP Error 404" in message
    assert f"{base}/short/train-images-idx3-ubyte.gz: DatasetError: transfer cut short" in message
    assert f"{base}/bad/train-images-idx3-ubyte.gz: DatasetError" in message
    assert "not a complete gzip file" in message
    assert f"A copy placed in one of these directories is used instead:\n  {cache}" in message
    assert not cache.parents[1].exists()  # no temporary or unverified file, nor the empty cache folders


@pytest.mark.parametrize(
    "spec_index, cause",
    [(1, "wrong magic number 2051"), (2, "checksum mismatch"), (3, "not a complete gzip file")],
    ids=["wrong-magic", "changed-pixel", "error-page"],
)
def test_each_kind_of_corruption_is_named(server, cache, spec_index, cause):
    base, _ = server
    spec = MNIST[spec_index]
    with pytest.raises(DatasetError, match=cause) as error:
        download_verified(
            spec.gz_name,
            [f"{base}/bad/"],
            cache,
            lambda path: decode_idx(path.read_bytes(), spec, gzipped=True, source="received"),
            verbose=False,
        )
    assert f"{base}/bad/{spec.gz_name}" in str(error.value)
    assert not cache.parents[1].exists()


def test_download_shows_progress_when_verbose(server, cache, source, capsys):
    base, _ = server
    spec = MNIST[1]
    result = download_verified(spec.gz_name, [f"{base}/good/"], cache, lambda path: path.stat().st_size)
    assert result == (source / spec.gz_name).stat().st_size  # verify's result is passed on
    assert spec.gz_name in capsys.readouterr().err  # tqdm's bar names the file
    assert (cache / spec.gz_name).read_bytes() == (source / spec.gz_name).read_bytes()
