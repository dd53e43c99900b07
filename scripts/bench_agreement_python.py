#!/usr/bin/env python3
"""The Python side of scripts/bench-agreement.sh: reads a long-format
ratings file (unit,rater,value; empty value = missing) the way a Python user
would, builds the raters x units reliability matrix and prints Krippendorff's
alpha from the PyPI package `krippendorff` (Castro 2017) as a float repr.
"""

import csv
import sys

import numpy as np
import krippendorff


def main() -> None:
    path = sys.argv[1]
    level = sys.argv[2] if len(sys.argv) > 2 else "ordinal"
    units: dict = {}
    raters: dict = {}
    unit_idx, rater_idx, values = [], [], []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader)]
        iu, ir, iv = header.index("unit"), header.index("rater"), header.index("value")
        for row in reader:
            if not row:
                continue
            value = row[iv].strip()
            if value == "":
                continue
            unit_idx.append(units.setdefault(row[iu], len(units)))
            rater_idx.append(raters.setdefault(row[ir], len(raters)))
            values.append(float(value))
    matrix = np.full((len(raters), len(units)), np.nan)
    matrix[np.array(rater_idx), np.array(unit_idx)] = np.array(values)
    alpha = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
    print(repr(float(alpha)))


if __name__ == "__main__":
    main()
