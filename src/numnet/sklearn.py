"""scikit-learn estimators: numnet networks in pipelines, cross-validation and searches (needs scikit-learn).

``NumnetClassifier`` and ``NumnetRegressor`` take the hyperparameters of
scikit-learn's ``MLPClassifier`` / ``MLPRegressor`` (with the same defaults and
meanings) plus numnet's: ``dropout``, ``batch_norm``, ``dtype``, every numnet
optimizer as ``solver``, and ``model=``, a callable that builds any numnet
network (a CNN on images given as flat features, say)::

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from numnet.sklearn import NumnetClassifier

    clf = make_pipeline(StandardScaler(), NumnetClassifier(hidden_layer_sizes=(100,), dropout=0.2, random_state=0))
    clf.fit(X_train, y_train).score(X_test, y_test)

The network is built in ``fit`` and trained by :class:`numnet.training.Trainer`;
the fitted numnet model is ``model_`` (save it with :func:`numnet.io.save`).

Differences from ``MLPClassifier`` / ``MLPRegressor`` worth knowing:

- ``solver`` names a numnet optimizer: ``"adam"`` (the default, as in
  scikit-learn), ``"sgd"`` (plain SGD: scikit-learn's ``"sgd"`` adds Nesterov
  momentum 0.9 by default, numnet's ``"nesterov"``), ``"momentum"``,
  ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``. There is no ``"lbfgs"``.
- ``alpha`` is the L2 penalty in scikit-learn's units, applied as the
  optimizer's ``weight_decay``: for a batch of n samples scikit-learn adds
  alpha/(2n)·Σ‖W‖² to its loss, so the weights decay by alpha/n per step
  relative to the data gradient (n is a batch's total sample weight when
  there are weights). numnet averages its losses over every output
  (and its squared error is not halved), so ``weight_decay`` is alpha/n times
  that ratio (1 for softmax, 1/K for K sigmoid outputs, 2/K for K regression
  outputs): the same regularization as scikit-learn's at the same ``alpha``.
- Training stops by scikit-learn's rule (``tol``, ``n_iter_no_change``, on
  the training loss or, with ``early_stopping``, the validation score), and
  ``loss_`` / ``loss_curve_`` are the loss as scikit-learn reports it (its
  units, the L2 penalty included, taken with each epoch's final weights).
  For regression numnet's gradient is 2/K times scikit-learn's (K outputs;
  1/K for multilabel targets): adaptive solvers (``"adam"``) do not notice,
  with ``"sgd"``, ``"momentum"`` or ``"nesterov"`` divide
  ``learning_rate_init`` by that ratio for scikit-learn's steps.
- The built-in MLP draws its weights as scikit-learn does (Glorot uniform,
  :func:`numnet.initializers.glorot_uniform`); its biases start at zero.
- Parameters are float32 by default (``dtype="float64"`` for double
  precision); scikit-learn computes in the dtype of its input.

Pickling: an estimator pickles as scikit-learn requires (``joblib`` and Dask
ship it to worker processes that way). Unpickling runs code, so load only
pickles you trust. numnet's own files never use pickle: ``numnet.io.save(
estimator.model_, "model.npz")`` keeps the network as arrays and JSON.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.utils import check_random_state
    from sklearn.utils._param_validation import Interval, Options, StrOptions
    from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("numnet.sklearn needs scikit-learn >= 1.6: pip install 'numnet[sklearn]'") from error

from numnet.callbacks import Callback
from numnet.layers import Loss, MeanSquaredLoss, SigmoidWithLoss, SoftmaxWithLoss
from numnet.models import MLP, Sequential
from numnet.optimizers import OPTIMIZERS, Optimizer, get_optimizer
from numnet.training import Trainer, log_name

__all__ = ["NumnetClassifier", "NumnetRegressor"]

#: scikit-learn's activation names -> numnet's.
_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "logistic": "sigmoid", "sigmoid": "sigmoid"}
#: What ``batch_size="auto"`` means, as in scikit-learn: min(200, n_samples).
_AUTO_BATCH = 200
#: The seeds drawn from ``random_state`` lie in [0, _SEED_BOUND).
_SEED_BOUND = 2**31 - 1

#: A callable ``(n_features_in, n_outputs, random_state) -> numnet model``.
ModelBuilder = Callable[[int, int, int], Sequential]


class _NumnetEstimator(BaseEstimator):
    """What the classifier and the regressor share: hyperparameters, building, training, predicting."""

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "solver": [StrOptions(set(OPTIMIZERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "dtype": [StrOptions({"float32", "float64"})],
        "model": [callable, None],
    }

    #: The metric early stopping watches on the validation data.
    _validation_metric: ClassVar[str]
    #: Whether y holds numbers (regression) rather than labels.
    _y_numeric: ClassVar[bool]
    #: The loss a fitted network ends in, by task.
    _losses: ClassVar[dict[str, type[Loss]]]

    # Set by fit:
    model_: Sequential
    _optimizer: Optimizer
    _random_state: np.random.RandomState
    _task: str

    def __init__(
        self,
        hidden_layer_sizes: int | tuple[int, ...] = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate_init: float = 0.001,
        max_iter: int = 200,
        random_state: int | np.random.RandomState | None = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        dropout: float = 0.0,
        batch_norm: bool = False,
        dtype: str = "float32",
        model: ModelBuilder | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.dtype = dtype
        self.model = model

    # ------------------------------------------------------------ subclass hooks
    def _encode_targets(
        self, y: NDArray, first_call: bool, incremental: bool, classes: ArrayLike | None
    ) -> tuple[NDArray, str, dict[str, Any]]:
        """``(t, task, fitted)``: targets for the network, the task, and the target attributes to set."""
        raise NotImplementedError

    def _n_outputs(self, task: str, fitted: dict[str, Any]) -> int:
        raise NotImplementedError

    # ------------------------------------------------------------ fitting
    def _fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None,
        incremental: bool,
        classes: ArrayLike | None = None,
    ) -> _NumnetEstimator:
        first_call = not hasattr(self, "model_") or not (incremental or self.warm_start)
        sizes = _hidden_sizes(self.hidden_layer_sizes)
        x: NDArray
        targets: NDArray
        x, targets = validate_data(
            self, X, y, reset=first_call, dtype=np.dtype(self.dtype), multi_output=True, y_numeric=self._y_numeric
        )
        t, task, fitted = self._encode_targets(targets, first_call, incremental, classes)
        weights: NDArray | None = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, x, dtype=np.float64, ensure_non_negative=True)
            x, t, weights = _drop_weightless(x, t, weights, labelled=task in ("binary", "multiclass"))
        random_state = check_random_state(self.random_state) if first_call else self._random_state
        n_outputs = self._n_outputs(task, fitted)
        if first_call:
            model = self._build(x.shape[1], n_outputs, task, sizes, int(random_state.randint(_SEED_BOUND)))
        else:
            model = self.model_
        batch_size = min(_AUTO_BATCH if self.batch_size == "auto" else int(self.batch_size), len(x))
        batch_weight = batch_size * (1.0 if weights is None else float(np.mean(weights)))
        gradient_ratio, loss_units = _UNITS[task](n_outputs)
        if incremental and not first_call:
            optimizer = self._optimizer
        else:
            weight_decay = gradient_ratio * self.alpha / batch_weight
            optimizer = get_optimizer(self.solver, lr=self.learning_rate_init, weight_decay=weight_decay)
        validating = self.early_stopping and not incremental
        rule = _StoppingRule(
            loss_units=loss_units,
            penalty=0.5 * self.alpha / batch_weight,
            monitor="val_" + log_name(self._validation_metric) if validating else None,
            tol=self.tol,
            patience=np.inf if incremental else self.n_iter_no_change,
        )
        history = Trainer(model, optimizer, metrics=(self._validation_metric,) if validating else ()).fit(
            self._model_input(model, x),
            t,
            epochs=1 if incremental else self.max_iter,
            batch_size=batch_size,
            validation_split=self.validation_fraction if validating else None,
            seed=int(random_state.randint(_SEED_BOUND)),
            verbose=2 if self.verbose else 0,
            callbacks=[rule],
            sample_weight=weights,
        )

        # Training succeeded: now the estimator changes.
        for name, value in fitted.items():
            setattr(self, name, value)
        if first_call:
            self.loss_curve_: list[float] = []
            self.validation_scores_: list[float] | None = None
            self.n_iter_ = 0
        self.model_, self._optimizer, self._random_state, self._task = model, optimizer, random_state, task
        self.loss_curve_ += rule.losses
        self.loss_ = self.loss_curve_[-1]
        if validating:
            self.validation_scores_ = (self.validation_scores_ or []) + rule.scores
        self.best_validation_score_ = max(self.validation_scores_) if self.validation_scores_ else None
        self.n_iter_ += history.epochs
        if not incremental and not rule.stopped:
            warnings.warn(
                f"numnet: maximum iterations ({self.max_iter}) reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return self

    def _build(self, n_features: int, n_outputs: int, task: str, sizes: list[int], seed: int) -> Sequential:
        """The network for ``n_features`` inputs and ``n_outputs`` scores, ending in the loss of ``task``."""
        loss_class = self._losses[task]
        if self.model is None:
            output = {SoftmaxWithLoss: "softmax", SigmoidWithLoss: "sigmoid", MeanSquaredLoss: "identity"}[loss_class]
            activation = _ACTIVATIONS[self.activation]
            return MLP(
                [n_features, *sizes, n_outputs],
                activation=activation,
                output=output,
                init="glorot_uniform",
                batch_norm=self.batch_norm,
                dropout=self.dropout,
                seed=seed,
                dtype=self.dtype,
            )
        model = self.model(n_features, n_outputs, seed)
        if not isinstance(model, Sequential):
            raise ValueError(
                f"model must return a numnet model (numnet.models.Sequential or a subclass), got {type(model).__name__}"
            )
        if type(model.loss_fn) is not loss_class:
            spec = model.input_spec
            model = Sequential(model.layers, loss_class(), seed=seed, input_shape=spec.shape, input_kind=spec.kind)
        probe = np.zeros((1, n_features), dtype=model.dtype)
        try:
            scores = model.predict(self._model_input(model, probe))
        except (TypeError, ValueError) as error:
            raise ValueError(f"model built a network that does not take {n_features} features: {error}") from None
        if scores.shape != (1, n_outputs):
            raise ValueError(
                f"model built a network with outputs of shape {scores.shape[1:]} per sample; this estimator needs "
                f"{n_outputs} outputs (model is called as model(n_features_in, n_outputs, random_state))"
            )
        return model

    @staticmethod
    def _model_input(model: Sequential, X: NDArray) -> NDArray:
        """``X`` (N, n_features) as the model takes it: reshaped to (N, *shape) when it fixes a sample shape."""
        shape = model.input_spec.shape
        if shape is None or len(shape) < 2 or any(size is None for size in shape):
            return X
        fixed = tuple(int(size) for size in shape if size is not None)
        return X.reshape(len(X), *fixed) if math.prod(fixed) == X.shape[1] else X

    def __getstate__(self) -> dict[str, Any]:
        """What pickle saves: the fitted network without the activations its layers cached (the last data seen)."""
        state = super().__getstate__()
        if "model_" in state:
            state["model_"] = _without_caches(state["model_"])
        return state

    # ------------------------------------------------------------ predicting
    def _scores(self, X: ArrayLike) -> NDArray:
        """The network's scores (N, n_outputs) for ``X``, checked as scikit-learn checks it."""
        check_is_fitted(self)
        x: NDArray = validate_data(self, X, reset=False, dtype=np.dtype(self.model_.dtype))
        return self.model_.predict(self._model_input(self.model_, x))


#: Per task, ``(gradient ratio, loss units)`` for K outputs: numnet's loss gradient over scikit-learn's (both
#: average over samples; numnet also over outputs, and does not halve the squared error), and the factor that
#: turns numnet's loss into the one scikit-learn reports (for regression the mean over outputs, halved).
_UNITS: dict[str, Callable[[int], tuple[float, float]]] = {
    "binary": lambda k: (1.0, 1.0),
    "multiclass": lambda k: (1.0, 1.0),
    "multilabel": lambda k: (1.0 / k, float(k)),
    "regression": lambda k: (2.0 / k, 0.5),
}


class _StoppingRule(Callback):
    """scikit-learn's stopping rule, and its ``loss_curve_`` and ``validation_scores_``, over numnet's logs.

    After each epoch the loss is reported as scikit-learn reports it: the training loss in its units plus the
    L2 penalty alpha/(2n)·Σ‖W‖². Without a ``monitor``, an epoch whose loss is not below the best by ``tol``
    counts as one without improvement; with one (the validation score), an epoch whose score is not above the
    best by ``tol``, and the weights of the best score are put back at the end. Training stops after
    ``patience`` such epochs in a row. (Unlike :class:`numnet.callbacks.EarlyStopping`, the best follows every
    improvement, however small, as in scikit-learn's ``_update_no_improvement_count``.)
    """

    def __init__(self, loss_units: float, penalty: float, monitor: str | None, tol: float, patience: float) -> None:
        self.loss_units, self.penalty, self.monitor, self.tol, self.patience = (
            loss_units,
            penalty,
            monitor,
            tol,
            patience,
        )
        self.losses: list[float] = []
        self.scores: list[float] = []
        self.stopped = False

    def on_train_begin(self, trainer: Trainer) -> None:
        self.best_loss, self.best_score, self._count = math.inf, -math.inf, 0
        self._best_arrays: dict[str, NDArray] | None = None

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        weights = sum(float(np.vdot(param, param)) for param in trainer.model.params if param.ndim >= 2)
        loss = self.loss_units * logs["train_loss"] + self.penalty * weights
        self.losses.append(loss)
        if self.monitor is None:
            self._count = self._count + 1 if loss > self.best_loss - self.tol else 0
            self.best_loss = min(self.best_loss, loss)
        else:
            score = logs[self.monitor]
            self.scores.append(score)
            self._count = self._count + 1 if score < self.best_score + self.tol else 0
            if score > self.best_score:
                self.best_score = score
                self._best_arrays = {name: array.copy() for name, array in trainer.model.named_arrays().items()}
        if self._count > self.patience:
            self.stopped = trainer.stop_training = True

    def on_train_end(self, trainer: Trainer) -> None:
        if self._best_arrays is not None:
            trainer.model.load_named_arrays(self._best_arrays)


def _without_caches(model: Sequential) -> Sequential:
    """A copy of ``model`` rebuilt from its description (as :mod:`numnet.io` saves it), with its generator's state.

    A model whose class cannot be rebuilt from its config (which :mod:`numnet.io` could not save either) is
    returned as it is.
    """
    try:
        copy = model.astype(model.dtype)
    except (TypeError, ValueError, KeyError):
        return model
    copy.rng.bit_generator.state = model.rng.bit_generator.state
    return copy


def _hidden_sizes(hidden_layer_sizes: Any) -> list[int]:
    """The hidden widths as a list of positive ints (ValueError naming the argument otherwise)."""
    if isinstance(hidden_layer_sizes, (int, np.integer)):
        return [int(hidden_layer_sizes)]
    sizes = list(hidden_layer_sizes)
    if not all(isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size > 0 for size in sizes):
        raise ValueError(f"hidden_layer_sizes must hold positive integers, got {hidden_layer_sizes!r}")
    return [int(size) for size in sizes]


def _drop_weightless(
    X: NDArray, t: NDArray, sample_weight: NDArray, labelled: bool
) -> tuple[NDArray, NDArray, NDArray]:
    """Samples of weight zero removed: as scikit-learn defines them, a zero weight is the same as no sample."""
    keep = sample_weight > 0
    if keep.all():
        return X, t, sample_weight
    X, t, sample_weight = X[keep], t[keep], sample_weight[keep]
    if labelled and len(np.unique(t)) < 2:
        raise ValueError(
            "the samples with a positive sample_weight all belong to one class; a classifier needs at least 2 classes"
        )
    return X, t, sample_weight


class NumnetClassifier(ClassifierMixin, _NumnetEstimator):
    """A numnet network as a scikit-learn classifier (binary, multiclass or multilabel).

    Binary targets get one sigmoid output, multiclass targets K softmax
    outputs, multilabel indicator matrices (N, K) K sigmoid outputs; labels
    may be any sortable values (strings, integers).

    Args:
        hidden_layer_sizes: widths of the hidden layers of the built-in MLP, e.g. ``(100,)`` or ``(256, 128)``.
        activation: hidden activation, ``"relu"``, ``"tanh"`` or ``"logistic"`` (also ``"sigmoid"``).
        solver: a numnet optimizer: ``"adam"``, ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``.
        alpha: L2 penalty in scikit-learn's units (see the module docstring).
        batch_size: samples per mini-batch; ``"auto"`` is min(200, n_samples).
        learning_rate_init: the optimizer's learning rate.
        max_iter: the most epochs one ``fit`` runs.
        random_state: seeds the initial weights, the dropout masks, the validation split and the shuffling.
        tol, n_iter_no_change: stop when the training loss (with ``early_stopping``, the validation accuracy)
            has not improved by ``tol`` for ``n_iter_no_change`` epochs; ``np.inf`` never stops early.
        verbose: print one line per epoch.
        warm_start: ``fit`` continues from the fitted network (with a new optimizer) instead of a new one.
        early_stopping: hold out ``validation_fraction`` of the data (stratified) and stop on its accuracy,
            keeping the weights of the best epoch.
        validation_fraction: the share held out by ``early_stopping``.
        dropout: a Dropout of this rate after each hidden activation of the built-in MLP.
        batch_norm: a BatchNorm before each hidden activation of the built-in MLP.
        dtype: the built-in MLP's parameter dtype, ``"float32"`` or ``"float64"``.
        model: instead of the built-in MLP, a callable ``model(n_features_in, n_outputs, random_state)``
            returning a numnet model whose last layer gives ``n_outputs`` scores (``random_state`` is an int
            seed); the estimator ends it with the loss the targets need (a different loss is replaced).
            A model with a fixed (C, H, W) input shape gets each row of X reshaped to it.

    Attributes:
        classes_: the class labels (N,), or ``arange(K)`` for multilabel targets.
        n_features_in_, feature_names_in_: as scikit-learn defines them.
        n_iter_: epochs run (summed over ``warm_start`` fits and ``partial_fit`` calls).
        loss_, loss_curve_: the last epoch's and every epoch's training loss.
        validation_scores_, best_validation_score_: per-epoch validation accuracy and its best value
            with ``early_stopping`` (accuracy per label for multilabel targets); None otherwise.
        model_: the fitted numnet model.
    """

    _validation_metric = "accuracy"
    _y_numeric = False
    _losses: ClassVar[dict[str, type[Loss]]] = {
        "binary": SigmoidWithLoss,
        "multiclass": SoftmaxWithLoss,
        "multilabel": SigmoidWithLoss,
    }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> NumnetClassifier:
        """Train on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,) or indicators (n_samples, K)."""
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self, X: ArrayLike, y: ArrayLike, classes: ArrayLike | None = None, sample_weight: ArrayLike | None = None
    ) -> NumnetClassifier:
        """One epoch over ``(X, y)``; the first call needs ``classes``, every label there will ever be."""
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _encode_targets(
        self, y: NDArray, first_call: bool, incremental: bool, classes: ArrayLike | None
    ) -> tuple[NDArray, str, dict[str, Any]]:
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind == "multilabel-indicator":
            known = np.arange(y.shape[1])
            if not first_call and (self._task != "multilabel" or not np.array_equal(known, self.classes_)):
                raise ValueError(f"y must be like the targets of the first fit (classes {self.classes_.tolist()})")
            return y.astype(self.dtype), "multilabel", {"classes_": known}
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"{type(self).__name__} supports binary, multiclass and multilabel targets, got {kind}")
        if not first_call and self._task == "multilabel":
            raise ValueError("y must be a multilabel indicator matrix, like the targets of the first fit")
        y = column_or_1d(y, warn=True)
        if first_call and incremental and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        if first_call:
            known = unique_labels(y if classes is None else classes)
        else:
            known = self.classes_
            if classes is not None and not np.array_equal(unique_labels(classes), known):
                raise ValueError(f"classes={classes!r} is not the same as on the first call: {known.tolist()}")
        unseen = np.setdiff1d(unique_labels(y), known)
        if unseen.size:
            raise ValueError(f"y holds labels {unseen.tolist()} that are not in classes {known.tolist()}")
        if len(known) < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 classes, got only one class: {known[0]!r}")
        index = np.searchsorted(known, y)
        if len(known) == 2:
            return index.astype(self.dtype).reshape(-1, 1), "binary", {"classes_": known}
        return index, "multiclass", {"classes_": known}

    def _n_outputs(self, task: str, fitted: dict[str, Any]) -> int:
        return 1 if task == "binary" else len(fitted["classes_"])

    def predict_proba(self, X: ArrayLike) -> NDArray:
        """Class probabilities (n_samples, n_classes); for multilabel targets each label's probability."""
        scores = self._scores(X)
        probabilities = self.model_.loss_fn.output(scores)
        if self._task == "binary":
            return np.hstack([1 - probabilities, probabilities])
        return probabilities

    def predict(self, X: ArrayLike) -> NDArray:
        """Labels (n_samples,) from ``classes_``; for multilabel targets indicators (n_samples, K)."""
        scores = self._scores(X)
        if self._task == "multilabel":
            return (scores >= 0).astype(np.int64)
        return self.classes_[self.model_.loss_fn.labels(scores)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class NumnetRegressor(RegressorMixin, _NumnetEstimator):
    """A numnet network as a scikit-learn regressor (one or several outputs), trained on the mean squared error.

    Takes the arguments of :class:`NumnetClassifier`; ``early_stopping``
    watches the validation R² (``validation_scores_``), and ``model=``'s
    network ends in a mean squared error.

    Attributes:
        n_outputs_: the number of targets.
        n_features_in_, feature_names_in_, n_iter_, loss_, loss_curve_,
        validation_scores_, best_validation_score_, model_: as for :class:`NumnetClassifier`.
    """

    _validation_metric = "r2"
    _y_numeric = True
    _losses: ClassVar[dict[str, type[Loss]]] = {"regression": MeanSquaredLoss}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> NumnetRegressor:
        """Train on ``X`` (n_samples, n_features) and targets ``y`` (n_samples,) or (n_samples, n_outputs)."""
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> NumnetRegressor:
        """One epoch over ``(X, y)``."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _encode_targets(
        self, y: NDArray, first_call: bool, incremental: bool, classes: ArrayLike | None
    ) -> tuple[NDArray, str, dict[str, Any]]:
        t = y.reshape(len(y), -1).astype(self.dtype)
        if not first_call and t.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {t.shape[1]} outputs; the estimator was fitted on {self.n_outputs_}")
        return t, "regression", {"n_outputs_": t.shape[1]}

    def _n_outputs(self, task: str, fitted: dict[str, Any]) -> int:
        return int(fitted["n_outputs_"])

    def predict(self, X: ArrayLike) -> NDArray:
        """Predictions (n_samples,) for one target, (n_samples, n_outputs) for several, as float64."""
        predictions = self._scores(X).astype(np.float64)
        return predictions.reshape(-1) if predictions.shape[1] == 1 else predictions

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
