"""Builds the unsupervised tabular anomaly-detection sets (recipes in README.md) as sets/<name>.csv + manifest.json.

    /usr/bin/python3 build-datasets.py --raw <folder written by export-r.R> --out sets

Every set: normal rows = all rows of the normal classes; anomalies = a sample without replacement from the other
classes, drawn with numpy's default_rng(SEED) (a fresh generator per set, so sets do not depend on each other);
constant columns dropped; rows shuffled with the same generator. Values are written with %.9g (float32 round-trip).
"""
import argparse, csv, gzip, json, os, struct
import numpy as np
from sklearn import datasets

SEED = 42
HERE = os.path.dirname(os.path.abspath(__file__))
MNIST = os.path.join(HERE, "..", "..", "..", "samples", "data")
FASHION = "/usr/share/datasets/fashion-mnist"
# How R's text values become numbers; anything else must parse as a float.
R_VALUES = {"TRUE": 1.0, "FALSE": 0.0, "y": 1.0, "n": 0.0}


def read_r(raw, name, label, missing=None):
    """Features (all columns but `label`) and class labels of a CSV written by export-r.R; NA becomes `missing`."""
    with open(os.path.join(raw, name + ".csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    k = header.index(label)
    values = dict(R_VALUES, NA=missing) if missing is not None else R_VALUES
    cell = lambda v: values[v] if v in values else float(v)  # an unexpected NA fails here
    X = np.array([[cell(v) for i, v in enumerate(r) if i != k] for r in rows])
    return X, np.array([r[k] for r in rows])


def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    assert magic >> 8 == 0x08, f"{path}: not an unsigned-byte IDX file"
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims[0], -1)


def read_images(folder, pairs):
    X = np.vstack([read_idx(os.path.join(folder, images)) for images, _ in pairs]) / 255.0
    y = np.concatenate([read_idx(os.path.join(folder, labels)).ravel() for _, labels in pairs])
    return X, y


def one_class(X, classes, normal, anomaly, rate=None, count=None):
    """Normal rows plus `count` anomalies (or as many as make `rate` of all rows; all of them if neither is given)."""
    rng = np.random.default_rng(SEED)
    normal_rows = np.flatnonzero(np.isin(classes, normal))
    anomaly_rows = np.flatnonzero(np.isin(classes, anomaly))
    if count is None:
        count = len(anomaly_rows) if rate is None else round(len(normal_rows) * rate / (1 - rate))
    picked = np.sort(rng.choice(anomaly_rows, size=count, replace=False))
    rows = rng.permutation(np.concatenate([normal_rows, picked]))
    X = X[rows]
    y = np.isin(rows, picked).astype(int)
    constant = X.max(axis=0) == X.min(axis=0)
    assert np.isfinite(X).all(), "missing or non-finite values"
    return X[:, ~constant], y, int(constant.sum())


def sklearn_set(loader):
    d = loader()
    return d.data, d.target


def recipes(raw):
    """(name, source, recipe text, X, classes, one_class keyword arguments) of every set."""
    mnist = [("mnist-images-idx3-ubyte.gz", "mnist-labels-idx1-ubyte.gz")]
    fashion = [("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
               ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")]
    zoo_small = ["reptile", "amphibian"]
    zoo_rest = ["mammal", "bird", "fish", "insect", "mollusc.et.al"]
    return [
        ("spam", "r-cran-kernlab", "kernlab data(spam), 57 features: normal = nonspam; anomalies = spam sampled to 5 %",
         *read_r(raw, "spam", "type"), dict(normal=["nonspam"], anomaly=["spam"], rate=0.05)),
        ("musk", "r-cran-kernlab", "kernlab data(musk) (UCI Musk v1, 166 features): normal = non-musk (Class 0); "
         "anomalies = musk (Class 1) sampled to 5 %",
         *read_r(raw, "musk", "Class"), dict(normal=["0"], anomaly=["1"], rate=0.05)),
        ("sonar", "r-cran-mlbench", "mlbench Sonar, 60 features: normal = mines (M); anomalies = rocks (R) sampled to 10 %",
         *read_r(raw, "Sonar", "Class"), dict(normal=["M"], anomaly=["R"], rate=0.10)),
        ("vehicle", "r-cran-mlbench", "mlbench Vehicle, 18 features: normal = bus, opel, saab; anomalies = van sampled to 5 %",
         *read_r(raw, "Vehicle", "Class"), dict(normal=["bus", "opel", "saab"], anomaly=["van"], rate=0.05)),
        ("zoo", "r-cran-mlbench", "mlbench Zoo, 16 features (logicals as 0/1, legs as a number): normal = mammal, bird, "
         "fish, insect, mollusc.et.al; anomalies = all reptiles and amphibians (the two smallest classes)",
         *read_r(raw, "Zoo", "type"), dict(normal=zoo_rest, anomaly=zoo_small)),
        ("housevotes84", "r-cran-mlbench", "mlbench HouseVotes84, 16 votes as y = 1, n = 0, missing = 0.5: "
         "normal = democrat; anomalies = republican sampled to 10 %",
         *read_r(raw, "HouseVotes84", "Class", missing=0.5), dict(normal=["democrat"], anomaly=["republican"], rate=0.10)),
        ("wine", "python3-sklearn", "sklearn load_wine, 13 features (ODDS wine): normal = classes 1 and 2; "
         "anomalies = 10 rows of class 0",
         *sklearn_set(datasets.load_wine), dict(normal=[1, 2], anomaly=[0], count=10)),
        ("iris", "python3-sklearn", "sklearn load_iris, 4 features: normal = setosa and versicolor; "
         "anomalies = 10 rows of virginica (the class that overlaps the normal data, not the separable setosa)",
         *sklearn_set(datasets.load_iris), dict(normal=[0, 1], anomaly=[2], count=10)),
        ("digits", "python3-sklearn", "sklearn load_digits, 8x8 pixels 0-16 (optdigits style): normal = digits 1-9; "
         "anomalies = digit 0 sampled to 3 %",
         *sklearn_set(datasets.load_digits), dict(normal=list(range(1, 10)), anomaly=[0], rate=0.03)),
        ("mnist", "repository samples/data", "the repository's 10,000 MNIST digits, pixels / 255 (ODDS mnist style, "
         "all pixels): normal = digit 0; anomalies = digits 1-9 sampled to 7 %",
         *read_images(MNIST, mnist), dict(normal=[0], anomaly=list(range(1, 10)), rate=0.07)),
        ("fashion-mnist", "dataset-fashion-mnist", "Fashion-MNIST train + test, pixels / 255: normal = class 0 "
         "(T-shirt/top, 7,000 rows); anomalies = classes 1-9 sampled to 5 %",
         *read_images(FASHION, fashion), dict(normal=[0], anomaly=list(range(1, 10)), rate=0.05)),
    ]


def write_csv(path, X, y):
    header = ",".join([f"f{i}" for i in range(X.shape[1])] + ["label"])
    np.savetxt(path, np.column_stack([X, y]), fmt=["%.9g"] * X.shape[1] + ["%d"], delimiter=",",
               header=header, comments="")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for name, source, recipe, X, classes, kwargs in recipes(args.raw):
        X, y, dropped = one_class(X, classes, **kwargs)
        write_csv(os.path.join(args.out, name + ".csv"), X, y)
        manifest.append(dict(name=name, rows=len(y), features=X.shape[1], anomalies=int(y.sum()),
                             anomaly_rate=round(float(y.mean()), 4), source=source, seed=SEED,
                             constant_columns_dropped=dropped, recipe=recipe))
        print(f"{name:14} rows {len(y):6}  features {X.shape[1]:4}  anomalies {int(y.sum()):4} ({y.mean():.1%})")
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
