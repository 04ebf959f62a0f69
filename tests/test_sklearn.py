"""numnet.sklearn: scikit-learn's own estimator checks, the places users put estimators, and every misuse."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from scipy.stats import loguniform  # noqa: E402 - scipy comes with scikit-learn
from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.datasets import load_digits, make_classification, make_multilabel_classification, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score, train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import (  # noqa: E402
    check_sample_weight_equivalence_on_dense_data,
    parametrize_with_checks,
)

from numnet import io  # noqa: E402
from numnet.layers import Conv2D, Dense, Flatten, ReLU, SoftmaxWithLoss  # noqa: E402
from numnet.models import MLP, Sequential  # noqa: E402
from numnet.sklearn import NumnetClassifier, NumnetRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class ImageCNN:
    """Builds a small CNN for ``model=``: the features as one (1, H, W) image (H = W for a square count, else H = 1).

    A class rather than a lambda so that the estimator pickles (scikit-learn requires it).
    """

    def __call__(self, n_features: int, n_outputs: int, random_state: int) -> Sequential:
        side = math.isqrt(n_features)
        height = side if side * side == n_features else 1
        width = n_features // height
        kernel = (3 if height >= 3 else 1, 3 if width >= 3 else 1)
        padding = (kernel[0] // 2, kernel[1] // 2)
        conv = Conv2D(1, 8, kernel, padding=padding, rng=random_state, dtype="float64")
        dense = Dense(8 * height * width, n_outputs, rng=random_state, dtype="float64")
        layers = [conv, ReLU(), Flatten(), dense]
        return Sequential(layers, SoftmaxWithLoss(), seed=random_state, input_shape=(1, height, width))

    def __repr__(self) -> str:
        return "ImageCNN()"


# ---------------------------------------------------------------- scikit-learn's checks

# scikit-learn's own test suite runs MLPClassifier / MLPRegressor with max_iter=100.
CHECKED = [
    NumnetClassifier(max_iter=100, random_state=0),
    NumnetClassifier(max_iter=100, random_state=0, dtype="float64"),
    NumnetRegressor(max_iter=100, random_state=0),
    NumnetRegressor(max_iter=100, random_state=0, dtype="float64"),
    NumnetClassifier(max_iter=100, learning_rate_init=0.01, random_state=0, model=ImageCNN()),
]

#: The checks that fail, and why; each fails for MLPClassifier / MLPRegressor too (test below).
FLOAT32_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": (
        "float32 rounding: fits on weighted and on repeated samples agree to ~1e-6, the check asks for 1e-7; "
        "the float64 instance passes, and MLPClassifier/MLPRegressor computing in float32 fail it too"
    ),
}


def expected_failures(estimator) -> dict[str, str]:
    return FLOAT32_FAILURES if estimator.dtype == "float32" and estimator.model is None else {}


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failures)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


class _Float32MLPClassifier(MLPClassifier):
    """MLPClassifier computing in float32, as numnet does by default (it computes in its input's dtype)."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(np.asarray(X, np.float32), y, sample_weight=sample_weight)

    def predict_proba(self, X):
        return super().predict_proba(np.asarray(X, np.float32))

    def predict(self, X):
        return super().predict(np.asarray(X, np.float32))


class _Float32MLPRegressor(MLPRegressor):
    def fit(self, X, y, sample_weight=None):
        return super().fit(np.asarray(X, np.float32), np.asarray(y, np.float32), sample_weight=sample_weight)

    def predict(self, X):
        return super().predict(np.asarray(X, np.float32))


@pytest.mark.parametrize("reference", [_Float32MLPClassifier, _Float32MLPRegressor])
def test_the_expected_failures_are_failures_of_mlp_in_float32_too(reference):
    assert set(FLOAT32_FAILURES) == {"check_sample_weight_equivalence_on_dense_data"}
    with pytest.raises(AssertionError, match="sample_weight"):
        check_sample_weight_equivalence_on_dense_data(reference.__name__, reference(max_iter=100, random_state=0))


# ---------------------------------------------------------------- data


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits(return_X_y=True)
    return train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)


def _blobs(n_classes=3, n=300, seed=0):
    return make_classification(
        n_samples=n,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=seed,
    )


# ---------------------------------------------------------------- where users put estimators


def test_a_pipeline_with_a_scaler_learns_the_digits(digits):
    x_train, x_test, y_train, y_test = digits
    pipeline = Pipeline([("scale", StandardScaler()), ("net", NumnetClassifier(max_iter=40, random_state=0))])
    assert pipeline.fit(x_train, y_train).score(x_test, y_test) > 0.95
    assert pipeline.named_steps["net"].n_features_in_ == 64


def test_cross_val_score_gives_one_score_per_fold_and_the_same_twice():
    x, y = _blobs()
    estimator = Pipeline([("scale", StandardScaler()), ("net", NumnetClassifier(max_iter=50, random_state=0))])
    scores = cross_val_score(estimator, x, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.85)
    np.testing.assert_array_equal(scores, cross_val_score(estimator, x, y, cv=3))


def test_grid_search_picks_from_the_grid_and_refits():
    x, y = _blobs(n=200)
    grid = {"net__hidden_layer_sizes": [(4,), (32,)], "net__alpha": [1e-4, 1e-2]}
    pipeline = Pipeline([("scale", StandardScaler()), ("net", NumnetClassifier(max_iter=40, random_state=0))])
    search = GridSearchCV(pipeline, grid, cv=3).fit(x, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_ in search.cv_results_["params"]
    best_net = search.best_estimator_.named_steps["net"]
    assert best_net.hidden_layer_sizes == search.best_params_["net__hidden_layer_sizes"]
    assert search.score(x, y) > 0.85


def test_randomized_search_is_reproducible_with_a_random_state():
    x, y = make_regression(n_samples=150, n_features=5, noise=5.0, random_state=0)
    distributions = {"learning_rate_init": loguniform(1e-3, 1e-1), "alpha": loguniform(1e-5, 1e-1)}

    def search():
        regressor = NumnetRegressor(hidden_layer_sizes=(16,), max_iter=30, random_state=0)
        return RandomizedSearchCV(regressor, distributions, n_iter=4, cv=3, random_state=0).fit(x, y)

    first, second = search(), search()
    assert len({params["alpha"] for params in first.cv_results_["params"]}) == 4
    np.testing.assert_array_equal(first.cv_results_["mean_test_score"], second.cv_results_["mean_test_score"])
    assert first.best_params_ == second.best_params_


def test_clone_gives_an_unfitted_copy_with_the_same_hyperparameters():
    estimator = NumnetClassifier(hidden_layer_sizes=(7, 5), dropout=0.1, model=None, random_state=3)
    estimator.fit(*_blobs(n=60))
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params()
    assert not hasattr(copy, "model_")
    with pytest.raises(NotFittedError):
        copy.predict(np.zeros((1, 8)))


def test_hyperparameters_are_stored_untouched():
    sizes = [64, 32]  # a list stays the very same list; validation happens in fit
    estimator = NumnetClassifier(hidden_layer_sizes=sizes, activation="logistic", batch_size=17)
    assert estimator.hidden_layer_sizes is sizes
    assert estimator.get_params()["activation"] == "logistic" and estimator.batch_size == 17


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize("labels", [np.array(["cat", "dog", "emu"]), np.array([3, 7, 42])])
def test_any_sortable_labels_come_back_as_given(labels):
    x, y = _blobs()
    y = labels[y]
    classifier = NumnetClassifier(max_iter=60, random_state=0).fit(x, y)
    np.testing.assert_array_equal(classifier.classes_, np.sort(labels))
    predicted = classifier.predict(x)
    assert predicted.dtype == y.dtype and set(predicted) <= set(labels)
    assert classifier.score(x, y) > 0.9


def test_binary_targets_get_one_sigmoid_output_and_two_probability_columns():
    x, y = _blobs(n_classes=2)
    classifier = NumnetClassifier(max_iter=60, random_state=0).fit(x, np.where(y == 1, "yes", "no"))
    assert classifier.model_.loss_fn.__class__.__name__ == "SigmoidWithLoss"
    assert classifier.model_.predict(x[:1]).shape == (1, 1)
    probabilities = classifier.predict_proba(x)
    assert probabilities.shape == (len(x), 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(classifier.classes_[probabilities.argmax(axis=1)], classifier.predict(x))


def test_multiclass_probabilities_sum_to_one_and_agree_with_predict():
    x, y = _blobs(n_classes=4, n=400)
    classifier = NumnetClassifier(max_iter=60, random_state=0).fit(x, y)
    probabilities = classifier.predict_proba(x)
    assert probabilities.shape == (400, 4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(probabilities.argmax(axis=1), classifier.predict(x))


def test_multilabel_targets_get_independent_sigmoid_outputs():
    x, y = make_multilabel_classification(n_samples=300, n_features=10, n_classes=4, random_state=0)
    classifier = NumnetClassifier(hidden_layer_sizes=(50,), max_iter=200, random_state=0).fit(x, y)
    np.testing.assert_array_equal(classifier.classes_, np.arange(4))
    predicted, probabilities = classifier.predict(x), classifier.predict_proba(x)
    assert predicted.shape == probabilities.shape == (300, 4)
    np.testing.assert_array_equal(predicted, (probabilities >= 0.5).astype(int))
    assert not np.allclose(probabilities.sum(axis=1), 1.0)  # labels are independent, not a distribution
    assert np.mean(predicted == y) > 0.8
    # loss_ is in scikit-learn's units (the sum over labels of the binary cross-entropies, plus the L2 penalty)
    reference = MLPClassifier(hidden_layer_sizes=(50,), max_iter=200, random_state=0).fit(x, y)
    assert abs(classifier.loss_ - reference.loss_) < 0.1 * reference.loss_


def test_multi_output_regression_predicts_every_target():
    x, y = make_regression(n_samples=200, n_features=6, n_targets=3, noise=1.0, random_state=0)
    regressor = Pipeline([("scale", StandardScaler()), ("net", NumnetRegressor(max_iter=300, random_state=0))])
    regressor.fit(x, y / 100)
    predicted = regressor.predict(x)
    assert predicted.shape == (200, 3) and predicted.dtype == np.float64
    assert regressor.score(x, y / 100) > 0.9
    assert regressor.named_steps["net"].n_outputs_ == 3


def test_one_target_regression_predicts_a_vector():
    x, y = make_regression(n_samples=100, n_features=4, random_state=0)
    regressor = NumnetRegressor(max_iter=5, random_state=0).fit(x, y.reshape(-1, 1))
    assert regressor.predict(x).shape == (100,)


def test_continuous_targets_are_refused_by_the_classifier():
    with pytest.raises(ValueError, match="Unknown label type"):
        NumnetClassifier().fit(np.zeros((4, 2)), [0.1, 0.7, 0.3, 0.9])


def test_multiclass_multioutput_targets_are_refused():
    y = np.array([[0, 1], [1, 2], [2, 0], [1, 1]])
    with pytest.raises(ValueError, match="binary, multiclass and multilabel"):
        NumnetClassifier().fit(np.zeros((4, 2)), y)


# ---------------------------------------------------------------- fitted attributes and training


def test_fitted_attributes_follow_scikit_learn():
    x, y = _blobs()
    classifier = NumnetClassifier(max_iter=30, random_state=0, n_iter_no_change=np.inf).fit(x, y)
    assert isinstance(classifier.model_, MLP)
    assert classifier.n_features_in_ == 8 and not hasattr(classifier, "feature_names_in_")
    assert classifier.n_iter_ == 30 == len(classifier.loss_curve_)
    assert classifier.loss_ == classifier.loss_curve_[-1] < classifier.loss_curve_[0]
    assert classifier.validation_scores_ is None and classifier.best_validation_score_ is None


def test_feature_names_are_recorded_and_checked():
    pandas = pytest.importorskip("pandas")
    x, y = _blobs(n=60)
    frame = pandas.DataFrame(x, columns=[f"f{i}" for i in range(8)])
    classifier = NumnetClassifier(max_iter=5, random_state=0).fit(frame, y)
    np.testing.assert_array_equal(classifier.feature_names_in_, frame.columns)
    with pytest.raises(ValueError, match="feature names"):
        classifier.predict(frame.rename(columns={"f0": "other"}))


def test_early_stopping_holds_out_data_and_keeps_the_best_epoch():
    x, y = _blobs(n=400)
    classifier = NumnetClassifier(
        early_stopping=True, n_iter_no_change=3, max_iter=500, learning_rate_init=0.01, random_state=0
    ).fit(x, y)
    scores = classifier.validation_scores_
    assert len(scores) == classifier.n_iter_ < 500  # stopped early
    assert classifier.best_validation_score_ == max(scores)
    assert scores.index(max(scores)) == len(scores) - 5  # then n_iter_no_change + 1 epochs without improvement


def test_training_stops_when_the_loss_stops_improving_by_tol_as_in_scikit_learn():
    x, y = _blobs()
    params = dict(tol=0.5, n_iter_no_change=2, max_iter=200, random_state=0)
    classifier = NumnetClassifier(**params).fit(x, y)
    assert classifier.n_iter_ == 4  # the first epoch sets the best; 3 more without a 0.5 improvement stop it
    assert MLPClassifier(**params).fit(x, y).n_iter_ == 4


def test_reaching_max_iter_warns_as_scikit_learn_does():
    with pytest.warns(ConvergenceWarning, match="maximum iterations \\(3\\)"):
        NumnetClassifier(max_iter=3, random_state=0).fit(*_blobs(n=50))


def test_verbose_prints_a_line_per_epoch(capsys):
    NumnetRegressor(max_iter=2, verbose=True, random_state=0).fit(np.zeros((10, 2)), np.ones(10))
    assert capsys.readouterr().out.count("epoch ") == 2


def test_the_same_random_state_gives_the_same_network_and_another_one_another():
    x, y = _blobs(n=100)
    first = NumnetClassifier(max_iter=5, random_state=1, dropout=0.2).fit(x, y).predict_proba(x)
    second = NumnetClassifier(max_iter=5, random_state=1, dropout=0.2).fit(x, y).predict_proba(x)
    other = NumnetClassifier(max_iter=5, random_state=2, dropout=0.2).fit(x, y).predict_proba(x)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_dropout_and_batch_norm_build_those_layers():
    classifier = NumnetClassifier(hidden_layer_sizes=(8, 8), dropout=0.3, batch_norm=True, max_iter=2, random_state=0)
    classifier.fit(*_blobs(n=60))
    names = [type(layer).__name__ for layer in classifier.model_.layers]
    assert names.count("Dropout") == 2 and names.count("BatchNorm") == 2


def test_warm_start_continues_the_same_network():
    x, y = _blobs()
    classifier = NumnetClassifier(max_iter=5, warm_start=True, random_state=0, n_iter_no_change=np.inf).fit(x, y)
    model, curve = classifier.model_, list(classifier.loss_curve_)
    classifier.fit(x, y)
    assert classifier.model_ is model and classifier.n_iter_ == 10
    assert classifier.loss_curve_[:5] == curve and classifier.loss_curve_[5] < curve[0]


def test_partial_fit_runs_one_epoch_per_call_and_keeps_the_optimizer():
    x, y = _blobs()
    classifier = NumnetClassifier(random_state=0)
    classifier.partial_fit(x[:150], y[:150], classes=[0, 1, 2])
    optimizer = classifier._optimizer
    for _ in range(9):
        classifier.partial_fit(x, y)
    assert classifier.n_iter_ == 10 and classifier._optimizer is optimizer
    assert classifier.loss_curve_[-1] < classifier.loss_curve_[0]
    assert classifier.score(x, y) > 0.85


def test_partial_fit_accepts_batches_that_lack_some_classes():
    x, y = _blobs()
    classifier = NumnetClassifier(random_state=0).partial_fit(x[y == 0], y[y == 0], classes=np.array([0, 1, 2]))
    assert classifier.predict_proba(x).shape == (len(x), 3)


def test_partial_fit_of_a_regressor():
    x, y = make_regression(n_samples=100, n_features=3, random_state=0)
    regressor = NumnetRegressor(random_state=0)
    for _ in range(3):
        regressor.partial_fit(x, y / 100)
    assert regressor.n_iter_ == 3 and regressor.predict(x).shape == (100,)


# ---------------------------------------------------------------- sample weights and alpha


def test_zero_weights_are_the_same_as_leaving_the_samples_out():
    x, y = _blobs(n=120)
    weights = np.where(np.arange(120) % 3 == 0, 0.0, 1.0)
    params = dict(max_iter=10, random_state=0, dtype="float64", n_iter_no_change=np.inf)
    weighted = NumnetClassifier(**params).fit(x, y, sample_weight=weights)
    subset = NumnetClassifier(**params).fit(x[weights > 0], y[weights > 0])
    np.testing.assert_array_equal(weighted.predict_proba(x), subset.predict_proba(x))


def test_weights_pull_the_decision_towards_the_heavy_class():
    x, y = _blobs(n_classes=2, n=200)
    x = x + np.random.default_rng(0).normal(scale=3.0, size=x.shape)  # overlapping classes
    plain = NumnetClassifier(max_iter=30, random_state=0).fit(x, y)
    heavy = NumnetClassifier(max_iter=30, random_state=0).fit(x, y, sample_weight=np.where(y == 1, 10.0, 1.0))
    assert np.mean(heavy.predict(x) == 1) > np.mean(plain.predict(x) == 1)


def _sgd_step_against_scikit_learn(numnet_estimator, sklearn_estimator, x, y):
    """Weights after one full-batch SGD step of both, from the same weights (numnet's after a first step)."""
    first_call = {"classes": np.unique(y)} if is_classifier(numnet_estimator) else {}
    numnet_estimator.partial_fit(x, y, **first_call)
    sklearn_estimator.partial_fit(x, y, **first_call)
    dense = [layer for layer in numnet_estimator.model_.layers if layer.params]
    sklearn_estimator.coefs_ = [layer.W.copy() for layer in dense]
    sklearn_estimator.intercepts_ = [layer.b.copy() for layer in dense]
    numnet_estimator.partial_fit(x, y)
    sklearn_estimator.partial_fit(x, y)
    return [layer.W for layer in dense], sklearn_estimator.coefs_


def test_alpha_is_scikit_learns_l2_penalty_for_classifiers():
    x, y = _blobs(n=50)
    common = dict(hidden_layer_sizes=(6,), alpha=0.5, batch_size=50, learning_rate_init=0.1, random_state=0)
    ours, theirs = _sgd_step_against_scikit_learn(
        NumnetClassifier(solver="sgd", dtype="float64", **common),
        MLPClassifier(solver="sgd", momentum=0.0, shuffle=False, **common),
        x,
        y,
    )
    for w_ours, w_theirs in zip(ours, theirs):
        np.testing.assert_allclose(w_ours, w_theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n_targets", [1, 2, 4])
def test_alpha_is_scikit_learns_l2_penalty_for_regressors_whose_gradient_is_2_over_k_times_theirs(n_targets):
    x, y = make_regression(n_samples=40, n_features=3, n_targets=n_targets, random_state=0)
    common = dict(hidden_layer_sizes=(5,), alpha=0.3, batch_size=40, random_state=0)
    # numnet's loss is the mean squared error over all K outputs; scikit-learn's gradient is that of half its sum
    ours, theirs = _sgd_step_against_scikit_learn(
        NumnetRegressor(solver="sgd", dtype="float64", learning_rate_init=0.01 * n_targets / 2, **common),
        MLPRegressor(solver="sgd", momentum=0.0, shuffle=False, learning_rate_init=0.01, **common),
        x / 10,
        y / 100,
    )
    for w_ours, w_theirs in zip(ours, theirs):
        np.testing.assert_allclose(w_ours, w_theirs, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- model=


def test_a_cnn_through_model_learns_the_digits_from_flat_features(digits):
    x_train, x_test, y_train, y_test = digits
    cnn = NumnetClassifier(model=ImageCNN(), learning_rate_init=0.01, max_iter=15, random_state=0)
    cnn.fit(x_train / 16, y_train)
    assert cnn.model_.input_spec.shape == (1, 8, 8)
    assert type(cnn.model_.layers[0]).__name__ == "Conv2D"
    assert cnn.score(x_test / 16, y_test) > 0.9


def test_model_gets_the_sizes_and_the_loss_the_targets_need():
    calls = []

    def build(n_features, n_outputs, random_state):
        calls.append((n_features, n_outputs, type(random_state)))
        return MLP([n_features, 4, n_outputs], output="softmax", seed=random_state)

    classifier = NumnetClassifier(model=build, max_iter=2, random_state=0).fit(*_blobs(n_classes=2, n=40))
    assert calls == [(8, 1, int)]
    assert type(classifier.model_.loss_fn).__name__ == "SigmoidWithLoss"  # the softmax was replaced
    assert classifier.predict_proba(np.zeros((2, 8))).shape == (2, 2)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda n, k, seed: "not a model", "must return a numnet model"),
        (lambda n, k, seed: MLP([n, 4, k + 1], seed=seed), "this estimator needs 3 outputs"),
        (lambda n, k, seed: MLP([n + 1, 4, k], seed=seed), "does not take 8 features"),
    ],
)
def test_a_model_that_does_not_fit_is_a_clear_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        NumnetClassifier(model=build).fit(*_blobs(n=30))


# ---------------------------------------------------------------- misuse


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_an_unfitted_estimator_raises_not_fitted_error(method):
    args = (np.zeros((2, 3)), [0, 1]) if method == "score" else (np.zeros((2, 3)),)
    with pytest.raises(NotFittedError):
        getattr(NumnetClassifier(), method)(*args)
    if method != "predict_proba":
        with pytest.raises(NotFittedError):
            getattr(NumnetRegressor(), method)(*args)


def test_the_wrong_number_of_features_at_predict_is_a_value_error():
    classifier = NumnetClassifier(max_iter=2, random_state=0).fit(*_blobs(n=40))
    with pytest.raises(ValueError, match="8 features"):
        classifier.predict(np.zeros((3, 7)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_input_is_a_value_error(bad):
    x, y = _blobs(n=40)
    x[3, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        NumnetClassifier().fit(x, y)
    fitted = NumnetRegressor(max_iter=2, random_state=0).fit(np.zeros((5, 2)), np.arange(5.0))
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.predict(np.array([[0.0, bad]]))


@pytest.mark.parametrize(
    "params, name",
    [
        ({"activation": "softplus"}, "activation"),
        ({"solver": "lbfgs"}, "solver"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": 0}, "hidden_layer_sizes"),
        ({"dropout": 1.0}, "dropout"),
        ({"dtype": "float16"}, "dtype"),
        ({"batch_size": 0}, "batch_size"),
        ({"max_iter": 0}, "max_iter"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
        ({"alpha": -1.0}, "alpha"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"model": "cnn"}, "model"),
    ],
)
def test_an_unknown_hyperparameter_value_is_a_value_error_naming_it(params, name):
    with pytest.raises(ValueError, match=name):
        NumnetClassifier(**params).fit(*_blobs(n=30))


def test_partial_fit_needs_the_classes_first_and_the_same_classes_after():
    x, y = _blobs(n=60)
    classifier = NumnetClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        classifier.partial_fit(x, y)
    assert not hasattr(classifier, "model_")
    with pytest.raises(ValueError, match="not in classes"):
        classifier.partial_fit(x, y, classes=[0, 1])
    classifier.partial_fit(x, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not the same"):
        classifier.partial_fit(x, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="not in classes"):
        classifier.partial_fit(x, y + 5)
    with pytest.raises(ValueError, match="features"):
        classifier.partial_fit(x[:, :5], y)


def test_one_class_is_a_value_error_saying_so():
    with pytest.raises(ValueError, match="one class"):
        NumnetClassifier().fit(np.zeros((5, 2)), np.ones(5))
    with pytest.raises(ValueError, match="one class"):
        NumnetClassifier().fit(np.zeros((6, 2)), [0, 1, 0, 1, 0, 1], sample_weight=[0, 1, 0, 1, 0, 1])


@pytest.mark.parametrize(
    "weights, message", [([1.0, -1.0, 1.0, 1.0], "(?i)negative"), ([0.0] * 4, "non-zero"), ([1.0, 1.0], "shape")]
)
def test_bad_sample_weights_are_value_errors(weights, message):
    with pytest.raises(ValueError, match=message):
        NumnetRegressor().fit(np.zeros((4, 2)), np.arange(4.0), sample_weight=weights)


def test_a_diverging_fit_raises_and_leaves_the_estimator_unfitted():
    x, y = make_regression(n_samples=50, n_features=3, random_state=0)
    regressor = NumnetRegressor(solver="sgd", learning_rate_init=10.0, max_iter=50, random_state=0)
    with pytest.raises(RuntimeError, match="diverged"):
        regressor.fit(x * 1000, y * 1000)
    assert not hasattr(regressor, "model_")


# ---------------------------------------------------------------- pickling and numnet's files


def test_a_pickled_estimator_predicts_the_same_without_the_data_it_saw(digits):
    x_train, x_test, y_train, _ = digits
    classifier = NumnetClassifier(max_iter=5, random_state=0).fit(x_train, y_train)
    expected = classifier.predict_proba(x_test)  # leaves the test set cached in the layers
    restored = pickle.loads(pickle.dumps(classifier))
    assert all(getattr(layer, "x", None) is None for layer in restored.model_.layers)  # no cached test set
    np.testing.assert_array_equal(restored.predict_proba(x_test), expected)
    restored.partial_fit(x_train, y_train)  # and it trains on, with its optimizer's state
    assert restored.n_iter_ == classifier.n_iter_ + 1


def test_the_fitted_network_saves_as_a_numnet_file_without_pickle(tmp_path, digits):
    x_train, x_test, y_train, _ = digits
    classifier = NumnetClassifier(max_iter=3, random_state=0).fit(x_train, y_train)
    io.save(classifier.model_, tmp_path / "model.npz")
    loaded = io.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.predict(x_test), classifier.model_.predict(x_test))
