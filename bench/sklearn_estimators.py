"""numnet's scikit-learn estimators against MLPClassifier / MLPRegressor, with the same hyperparameters.

    python bench/sklearn_estimators.py [--repeats N] [--threads N] [--out PATH]

On the datasets scikit-learn ships (digits, breast cancer, diabetes) and one
it makes (``make_classification``), each contender runs 5-fold
cross-validation (``cross_validate``, scikit-learn's default splits) inside a
pipeline that standardizes the features (and, for diabetes, the target), with
scikit-learn's default hyperparameters: one hidden layer of 100 ReLUs, Adam
with learning rate 0.001, alpha 0.0001, batches of min(200, n), at most 200
epochs, stopping after 10 epochs without a 0.0001 improvement of the training
loss. Repeat r uses ``random_state=r`` for every contender, and the repeats
are interleaved (``harness.time_interleaved``): repeat r runs the contenders in
an order rotated by r.

Reported per dataset and contender: the fit time of one cross-validation
(the five fits, summed from ``cross_validate``'s ``fit_time``), and the mean
test score (accuracy or R²) over all folds and repeats. numnet runs twice: in
float32 (its default) and in float64 (what MLPClassifier computes in on
float64 data, scikit-learn's default).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from run import THREAD_VARIABLES, available_cores, busy_warning

DATASETS = ("digits", "breast_cancer", "make_classification", "diabetes")
CONTENDERS = ("numnet", "numnet float64", "scikit-learn")
FOLDS = 5
#: The targets of the issue: numnet's score at least the peer's, and its fit time at most 0.7× the peer's.
TIME_GOAL = "<= 0.7"
SCORE_GOAL = ">= 0.0"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="numnet's scikit-learn estimators against MLPClassifier/Regressor.")
    parser.add_argument("--repeats", type=int, default=3, help="cross-validations per contender and dataset (3)")
    parser.add_argument(
        "--threads", type=int, default=available_cores(), help="threads for NumPy's BLAS (default: the cores)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "sklearn_estimators.json",
        help="where to write the JSON results (default: bench/results/sklearn_estimators.json)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads must be positive")
    return args


def load(name: str) -> tuple[Any, Any, bool]:
    """``(X, y, is_classification)`` of a dataset."""
    from sklearn import datasets

    if name == "make_classification":
        x, y = datasets.make_classification(
            n_samples=3000, n_features=20, n_informative=10, n_classes=3, random_state=0
        )
        return x, y, True
    x, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return x, y, name != "diabetes"


def make_estimator(contender: str, classification: bool, random_state: int) -> Any:
    """The contender in a pipeline that standardizes X (and y for regression), with scikit-learn's defaults."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from numnet.sklearn import NumnetClassifier, NumnetRegressor

    if contender == "scikit-learn":
        network = (MLPClassifier if classification else MLPRegressor)(random_state=random_state)
    else:
        dtype = "float64" if contender.endswith("float64") else "float32"
        network = (NumnetClassifier if classification else NumnetRegressor)(random_state=random_state, dtype=dtype)
    pipeline = make_pipeline(StandardScaler(), network)
    return pipeline if classification else TransformedTargetRegressor(pipeline, transformer=StandardScaler())


def benchmark(name: str, repeats: int) -> dict[str, dict[str, list[float]]]:
    """Per contender: the fit seconds of each cross-validation, the test scores of every fold, the epochs run."""
    from sklearn.model_selection import cross_validate

    from harness import time_interleaved

    x, y, classification = load(name)
    results: dict[str, dict[str, list[float]]] = {c: {"fit": [], "scores": [], "epochs": []} for c in CONTENDERS}
    repeat = {contender: 0 for contender in CONTENDERS}

    def run(contender: str) -> Callable[[], None]:
        def cross_validation() -> None:
            estimator = make_estimator(contender, classification, random_state=repeat[contender])
            repeat[contender] += 1
            outcome = cross_validate(estimator, x, y, cv=FOLDS, return_estimator=True)
            results[contender]["fit"].append(float(outcome["fit_time"].sum()))
            results[contender]["scores"] += [float(score) for score in outcome["test_score"]]
            results[contender]["epochs"] += [_network(fitted).n_iter_ for fitted in outcome["estimator"]]

        return cross_validation

    time_interleaved({contender: run(contender) for contender in CONTENDERS}, repeats)
    return results


def _network(estimator: Any) -> Any:
    pipeline = getattr(estimator, "regressor_", estimator)
    return pipeline[-1]


def report(all_results: dict[str, dict[str, dict[str, list[float]]]]) -> tuple[list[Any], list[Any]]:
    from harness import Row, Stats, Target, ratio

    rows, targets = [], []
    for name, results in all_results.items():
        stats = {contender: Stats("s", values["fit"]) for contender, values in results.items()}
        means = {contender: statistics.fmean(values["scores"]) for contender, values in results.items()}
        score_name = "R²" if name == "diabetes" else "accuracy"
        for contender, values in results.items():
            note = (
                f"{score_name} {means[contender]:.4f} (mean of {len(values['scores'])} folds); "
                f"{statistics.fmean(values['epochs']):.0f} epochs on average"
            )
            peer_ratio = None if contender == "numnet" else ratio(stats["numnet"], stats[contender])
            rows.append(Row(f"{name}: {FOLDS}-fold CV fit time", contender, stats[contender], peer_ratio, note))
        targets.append(
            Target(f"{name}: fit time, numnet ÷ scikit-learn", ratio(stats["numnet"], stats["scikit-learn"]), TIME_GOAL)
        )
        # the same folds and random_state for both: the standard error of the paired differences
        differences = [a - b for a, b in zip(results["numnet"]["scores"], results["scikit-learn"]["scores"])]
        error = statistics.stdev(differences) / len(differences) ** 0.5 if len(differences) > 1 else float("nan")
        targets.append(
            Target(
                f"{name}: {score_name}, numnet − scikit-learn (×100)",
                100 * (means["numnet"] - means["scikit-learn"]),
                SCORE_GOAL,
                note=f"{means['numnet']:.4f} vs {means['scikit-learn']:.4f}; paired s.e. ×100: {100 * error:.2f}",
            )
        )
    return rows, targets


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    busy = busy_warning(args.threads)
    if busy:
        print(f"[bench] warning: {busy}", file=sys.stderr)
    for variable in THREAD_VARIABLES:  # read once, when NumPy's BLAS starts its thread pool
        os.environ[variable] = str(args.threads)
    import numpy as np
    import sklearn
    from sklearn.exceptions import ConvergenceWarning

    import numnet
    from harness import markdown_tables

    warnings.simplefilter("ignore", ConvergenceWarning)  # both contenders hit max_iter on some folds, alike
    load_start = os.getloadavg()
    all_results = {}
    for name in DATASETS:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        all_results[name] = benchmark(name, args.repeats)
    rows, targets = report(all_results)
    load_end = os.getloadavg()
    print(
        f"\nnumnet {numnet.__version__}, scikit-learn {sklearn.__version__}, NumPy {np.__version__}, "
        f"Python {platform.python_version()}; {args.threads} thread(s) of {available_cores()} cores; "
        f"{args.repeats} interleaved repeats; load average {load_start[0]:.1f} -> {load_end[0]:.1f}\n"
    )
    print(markdown_tables(rows, targets))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "meta": {
            "numnet": numnet.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "threads": args.threads,
            "repeats": args.repeats,
            "load_average_start": load_start,
            "load_average_end": load_end,
        },
        "results": all_results,
        "rows": [row.to_dict() for row in rows],
        "targets": [target.to_dict() for target in targets],
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nJSON written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
