"""Scores one time-series task with scikit-learn detectors on sliding windows (bench/AnomalyAE.TimeSeries runs it).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 peers.py --task DIR --seeds 1,2,3 \
        [--methods IsolationForest,PCA,KNN]

DIR holds what the bench wrote: meta.json (dimensions, train_rows, test_rows, window, test_follows_train) and
train.f32 / test.f32 (row-major float32, channels already standardized by the training rows). For each method and
seed it writes DIR/<method>-<seed>.test.f64 (one score per test row) and .train.f64 (scores of the training windows,
in-sample, for the label-free threshold) and prints one JSON line: method, seed, seconds (fit + score), deterministic.

Windows (the same as SlidingWindows.cs): w rows flattened time-major. Training windows lie wholly in the training
rows; the test window of row t ends at t and reaches back into the training rows when the test continues them (NAB),
else repeats the first test row (MSL); nothing after t is used. Detectors are fitted on the training windows only:
  IsolationForest  IsolationForest(random_state=seed), score = -score_samples
  PCA              squared reconstruction error with the fewest components explaining 90 % of the variance
  KNN              distance to the 5th nearest training window (training scores: the window itself excluded)
Only IsolationForest depends on the seed; the others are fitted once and their numbers repeated for every seed with
"deterministic": true.
"""
import argparse, json, os, sys, time
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import NearestNeighbors


def windows(task_dir):
    meta = json.load(open(os.path.join(task_dir, "meta.json")))
    d, w = meta["dimensions"], meta["window"]
    train = np.fromfile(os.path.join(task_dir, "train.f32"), dtype="<f4").reshape(meta["train_rows"], d)
    test = np.fromfile(os.path.join(task_dir, "test.f32"), dtype="<f4").reshape(meta["test_rows"], d)
    if len(train) < w:
        sys.exit(f"{task_dir}: {len(train)} training rows, fewer than the window ({w})")
    train_windows = sliding_window_view(train, (w, d)).reshape(-1, w * d)
    if meta["test_follows_train"] and len(train) > 0:
        history = train[-(w - 1):] if w > 1 else train[:0]
        if len(history) < w - 1:
            history = np.concatenate([np.repeat(train[:1], w - 1 - len(history), axis=0), history])
    else:
        history = np.repeat(test[:1], w - 1, axis=0)
    test_windows = sliding_window_view(np.concatenate([history, test]), (w, d)).reshape(-1, w * d)
    return train_windows.astype(np.float64), test_windows.astype(np.float64)


def isolation_forest(train, test, seed):
    model = IsolationForest(random_state=seed, n_jobs=1).fit(train)
    return -model.score_samples(test), -model.score_samples(train)


def split_constant(train, test):
    """Window features constant over the training windows (MSL's idle command columns) carry no variance: PCA's
    components and the training windows have nothing along them, so their part of a squared error or distance is just
    (x - the constant)^2. Fitting on the varying features and adding that part gives the same numbers as the full
    computation, in a fraction of the time."""
    varying = train.std(axis=0) > 0
    constant = train[0, ~varying]
    rest = lambda x: ((x[:, ~varying] - constant) ** 2).sum(axis=1)
    return train[:, varying], test[:, varying], rest(train), rest(test)


def pca(train, test, seed):
    train, test, train_rest, test_rest = split_constant(train, test)
    if train.shape[1] == 0:  # a flat training part: the constant is the whole model
        return test_rest, train_rest
    model = PCA(n_components=0.9, svd_solver="full").fit(train)
    error = lambda x: ((x - model.inverse_transform(model.transform(x))) ** 2).sum(axis=1)
    return error(test) + test_rest, error(train) + train_rest


def knn(train, test, seed):
    train, test, train_rest, test_rest = split_constant(train, test)
    if train.shape[1] == 0:  # a flat training part: every training window is the same point
        return np.sqrt(test_rest), np.sqrt(train_rest)
    k = min(5, len(train) - 1)
    model = NearestNeighbors(n_neighbors=k, n_jobs=1).fit(train)
    # Every training window is at distance sqrt(varying part^2 + rest) with the same rest, so the k-th neighbour is the same.
    return np.sqrt(model.kneighbors(test)[0][:, -1] ** 2 + test_rest), np.sqrt(model.kneighbors()[0][:, -1] ** 2 + train_rest)


METHODS = {"IsolationForest": (isolation_forest, True), "PCA": (pca, False), "KNN": (knn, False)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", required=True)
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    methods = args.methods.split(",")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        sys.exit(f"unknown methods {unknown}; known: {', '.join(METHODS)}")
    train, test = windows(args.task)
    for method in methods:
        score, seeded = METHODS[method]
        result = None
        for seed in seeds:
            if seeded or result is None:
                start = time.perf_counter()
                test_scores, train_scores = score(train, test, seed)
                result = dict(seconds=round(time.perf_counter() - start, 4))
            test_scores.astype("<f8").tofile(os.path.join(args.task, f"{method}-{seed}.test.f64"))
            train_scores.astype("<f8").tofile(os.path.join(args.task, f"{method}-{seed}.train.f64"))
            print(json.dumps(dict(method=method, seed=seed, **result, deterministic=not seeded)), flush=True)


if __name__ == "__main__":
    main()
