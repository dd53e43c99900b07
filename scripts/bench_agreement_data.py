#!/usr/bin/env python3
"""Writes a synthetic long-format ratings file (unit,rater,value) for
scripts/bench-agreement.sh.

Each unit has a true level on a 1..LEVELS ordinal scale; every rater reports
it, off by one level a third of the time (clamped to the scale); a share of
cells is blank (missing). The output depends only on the arguments and the
seed.
"""

import argparse
import random


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--raters", type=int, default=5)
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--missing", type=float, default=0.1, help="share of blank cells")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    raters = [f"expert-{r + 1:02d}" for r in range(args.raters)]
    rows = 0
    ratings = 0
    with open(args.out, "w", newline="") as out:
        out.write("unit,rater,value\n")
        for u in range(args.units):
            unit = f"cell-{u + 1:07d}"
            truth = rng.randint(1, args.levels)
            lines = []
            for rater in raters:
                if rng.random() < args.missing:
                    lines.append(f"{unit},{rater},\n")
                else:
                    value = min(args.levels, max(1, truth + rng.choice((-1, 0, 0, 0, 0, 1))))
                    lines.append(f"{unit},{rater},{value}\n")
                    ratings += 1
            out.writelines(lines)
            rows += len(lines)
    print(f"{args.out}: {args.units} units x {args.raters} raters, {rows} rows, {ratings} ratings")


if __name__ == "__main__":
    main()
