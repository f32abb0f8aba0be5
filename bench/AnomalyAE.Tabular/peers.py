"""Scores one benchmark set (data/sets/<name>.csv) with scikit-learn peer detectors under the ADBench protocol.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 peers.py --data data/sets/wine.csv --seeds 1,2,3 \
        [--methods IsolationForest,LocalOutlierFactor,OneClassSVM,PCA,KNN]

Protocol: StandardScaler fitted on all rows (a constant feature stays 0), each detector fitted on all rows without
labels, all rows scored (higher = more anomalous), ROC-AUC and average precision against the labels.
Prints one JSON object per line: set, method, seed, auc, ap, seconds (fit + score), deterministic.

Detectors, scikit-learn defaults as a user would call them, n_jobs=1 where offered:
  IsolationForest     IsolationForest(random_state=seed), score = -score_samples
  LocalOutlierFactor  LocalOutlierFactor(n_neighbors=20), novelty=False, score = -negative_outlier_factor_
  OneClassSVM         OneClassSVM() (rbf, gamma='scale', nu=0.5), score = -decision_function
  PCA                 squared reconstruction error with the fewest components explaining 90 % of the variance
  KNN                 distance to the 5th nearest neighbour, the point itself excluded (PyOD's KNN default)
  ECOD                empirical-CDF outlier detection (Li, Zhao, Hu, Botta, Ionescu, Chen, TKDE 2022), from the paper:
                      per feature the left tail F(x) = share of rows <= x and the right tail share >= x; O_left,
                      O_right = sums over features of -log of the tail; O_auto = the tail chosen by each feature's
                      skewness (left when negative); score = max(O_left, O_right, O_auto)
  HBOS                histogram-based outlier score (Goldstein & Dengel, KI 2012), from the paper: per feature a
                      static-width histogram of k = round(sqrt(rows)) bins normalized to a maximum height of 1;
                      score = sum over features of log(1 / height of the row's bin)
IsolationForest also reports f1_auto (F1 of its own decision with contamination='auto', i.e. score_samples < -0.5)
and f1_true (F1 when told the true contamination: the top contamination share of its scores, as
IsolationForest(contamination=rate) would flag them).
Only IsolationForest depends on the seed; the others are fitted once and the same numbers (and seconds) are
reported for every seed with "deterministic": true, so callers can average over seeds uniformly.

Threads: the caller sets OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1 (BLAS reads them when numpy is imported;
this script leaves the environment alone), so that timings are single-threaded like the n_jobs=1 detectors.
"""
import argparse, json, os, sys, time
import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM


def isolation_forest(X, seed):
    return -IsolationForest(random_state=seed, n_jobs=1).fit(X).score_samples(X)


def f1(flagged, y):
    flags, anomalies = int(flagged.sum()), int(y.sum())
    return 0.0 if flags + anomalies == 0 else 2.0 * int((flagged & (y == 1)).sum()) / (flags + anomalies)


def isolation_forest_decisions(X, y, scores):
    # contamination='auto' flags score_samples < -0.5 (offset_ = -0.5): our scores are -score_samples.
    # At the true rate, scikit-learn's offset_ is the rate-th percentile of score_samples (flag strictly below it).
    rate = y.mean()
    return dict(f1_auto=f1(scores > 0.5, y), f1_true=f1(-scores < np.percentile(-scores, 100.0 * rate), y))


def local_outlier_factor(X, seed):
    return -LocalOutlierFactor(n_neighbors=20, n_jobs=1).fit(X).negative_outlier_factor_


def one_class_svm(X, seed):
    return -OneClassSVM().fit(X).decision_function(X)


def pca(X, seed):
    model = PCA(n_components=0.9, svd_solver="full").fit(X)
    return ((X - model.inverse_transform(model.transform(X))) ** 2).sum(axis=1)


def knn(X, seed):
    distances, _ = NearestNeighbors(n_neighbors=5, n_jobs=1).fit(X).kneighbors()  # no query: self excluded
    return distances[:, -1]


def ecod(X, seed):
    n = X.shape[0]
    # Tail probabilities by ranks: share of rows <= x (left), share >= x (right); ties share their count.
    sorted_columns = np.sort(X, axis=0)
    left = np.empty_like(X)
    right = np.empty_like(X)
    for j in range(X.shape[1]):
        left[:, j] = np.searchsorted(sorted_columns[:, j], X[:, j], side="right") / n
        right[:, j] = (n - np.searchsorted(sorted_columns[:, j], X[:, j], side="left")) / n
    u_left, u_right = -np.log(left), -np.log(right)
    centred = X - X.mean(axis=0)
    skewness = (centred ** 3).mean(axis=0) / np.maximum((centred ** 2).mean(axis=0), 1e-300) ** 1.5
    u_auto = np.where(skewness < 0, u_left, u_right)
    return np.maximum(np.maximum(u_left.sum(axis=1), u_right.sum(axis=1)), u_auto.sum(axis=1))


def hbos(X, seed):
    n = X.shape[0]
    bins = max(1, int(round(np.sqrt(n))))
    score = np.zeros(n)
    for j in range(X.shape[1]):
        column = X[:, j]
        low, high = column.min(), column.max()
        if high <= low:
            continue
        counts, edges = np.histogram(column, bins=bins, range=(low, high))
        index = np.clip(np.searchsorted(edges, column, side="right") - 1, 0, bins - 1)
        heights = counts / counts.max()
        score += np.log(1.0 / heights[index])  # every row's own bin holds at least that row: height > 0
    return score


# name -> (score function, depends on the seed)
METHODS = {
    "IsolationForest": (isolation_forest, True),
    "LocalOutlierFactor": (local_outlier_factor, False),
    "OneClassSVM": (one_class_svm, False),
    "PCA": (pca, False),
    "KNN": (knn, False),
    "ECOD": (ecod, False),
    "HBOS": (hbos, False),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="CSV with columns f0..f{d-1},label")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--scores", help="folder: also write each method's scores, one .npy per method and seed")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    methods = args.methods.split(",")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        sys.exit(f"unknown methods {unknown}; known: {', '.join(METHODS)}")

    name = os.path.basename(args.data)
    name = name[:-len(".csv.gz")] if name.endswith(".csv.gz") else os.path.splitext(name)[0]
    data = np.loadtxt(args.data, delimiter=",", skiprows=1, ndmin=2)
    X, y = StandardScaler().fit_transform(data[:, :-1]), data[:, -1].astype(int)

    for method in methods:
        score, seeded = METHODS[method]
        result = None
        for seed in seeds:
            if seeded or result is None:
                start = time.perf_counter()
                scores = score(X, seed)
                seconds = time.perf_counter() - start
                result = dict(auc=roc_auc_score(y, scores), ap=average_precision_score(y, scores),
                              seconds=round(seconds, 4))
                if method == "IsolationForest":
                    result.update(isolation_forest_decisions(X, y, scores))
                if args.scores:
                    os.makedirs(args.scores, exist_ok=True)
                    np.save(os.path.join(args.scores, f"{name}.{method}.{seed}.npy"), scores.astype(np.float32))
            print(json.dumps(dict(set=name, method=method, seed=seed, **result, deterministic=not seeded)), flush=True)


if __name__ == "__main__":
    main()
