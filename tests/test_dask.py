"""Searches on a Dask cluster of two worker processes: scikit-learn's through joblib, and ``numnet.sweep``'s."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("sklearn")

import cloudpickle  # noqa: E402 - comes with dask
import joblib  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402

from numnet import sweep  # noqa: E402
from numnet.cli import main  # noqa: E402
from numnet.sklearn import NumnetClassifier  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# The workers cannot import this test module: ship its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

SMALL = sweep.SweepSettings(train_size=200, hidden=(16,), epochs=2, batch_size=50)


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as local_cluster,
        distributed.Client(local_cluster) as client,
    ):
        yield local_cluster, client


def test_a_randomized_search_on_dask_equals_the_sequential_one(cluster):
    _, client = cluster
    x, y = make_classification(n_samples=200, n_features=8, n_informative=5, n_classes=3, random_state=0)

    def search():
        classifier = NumnetClassifier(hidden_layer_sizes=(16,), max_iter=10, random_state=0)
        distributions = {"learning_rate_init": loguniform(1e-3, 1e-1), "alpha": loguniform(1e-5, 1e-1)}
        return RandomizedSearchCV(classifier, distributions, n_iter=3, cv=2, random_state=0)

    sequential = search().fit(x, y)
    with joblib.parallel_config(backend="dask"):
        on_dask = search().fit(x, y)
    assert len(client.scheduler_info()["workers"]) == 2
    assert on_dask.cv_results_["params"] == sequential.cv_results_["params"]
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], sequential.cv_results_[key])
    assert on_dask.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(on_dask.predict_proba(x), sequential.predict_proba(x))


def _die_once(marker: str, settings, trial, data):
    """Kill the worker process the first time trial 1 runs."""
    if trial.index == 1 and not os.path.exists(marker):
        Path(marker).touch()
        os._exit(3)
    return sweep.run_trial(settings, trial, data)


def test_a_sweep_on_dask_gives_the_local_results_even_when_a_worker_dies(cluster, tmp_path):
    local_cluster, _ = cluster
    data = sweep.load_sweep_data(SMALL)
    with sweep.LocalBackend(1) as backend:
        local = sweep.run_sweep(SMALL, 3, tmp_path / "local.json", backend, data)
    marker = str(tmp_path / "died")
    with sweep.DaskBackend(local_cluster.scheduler_address) as backend:
        assert "2 workers" in backend.description
        on_dask = sweep.run_sweep(
            SMALL, 3, tmp_path / "dask.json", backend, data, trial_fn=functools.partial(_die_once, marker)
        )
    assert os.path.exists(marker)  # a worker died running trial 1; Dask ran it again
    assert on_dask.failed == {} and sorted(on_dask.results) == [0, 1, 2]
    for index, record in local.results.items():
        assert {**on_dask.results[index], "seconds": 0} == {**record, "seconds": 0}


def test_numnet_sweep_runs_on_the_scheduler_it_is_given(cluster, tmp_path, capsys):
    local_cluster, _ = cluster
    command = ["sweep", "--trials", "2", "--epochs", "1", "--hidden", "8", "--train-size", "100"]
    assert main([*command, "--scheduler", local_cluster.scheduler_address, "--out", str(tmp_path)]) == 0
    assert "on the Dask cluster at tcp://" in capsys.readouterr().out
    assert len(sweep.read_results(tmp_path / "sweep.json")[1]) == 2


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ConnectionError, match="could not reach the Dask scheduler"):
        sweep.DaskBackend("tcp://127.0.0.1:9", timeout=1)
