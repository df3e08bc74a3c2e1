#!/usr/bin/env python3
"""Compare .npy files elementwise: allclose.py A.npy B.npy [C.npy D.npy ...]

Each pair (got, expected) must have the same shape, `got` must be float32,
and |got - expected| <= atol + rtol * |expected| everywhere (NaN only where
the expected value is NaN). Exits 1 with a message on the first mismatch.
"""
import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", help="got/expected pairs")
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--atol", type=float, default=1e-6)
    args = parser.parse_args()
    if len(args.files) % 2:
        parser.error("files must come in (got, expected) pairs")
    ok = True
    for got_path, want_path in zip(args.files[::2], args.files[1::2]):
        got = np.load(got_path)
        want = np.load(want_path)
        where = "%s vs %s" % (got_path, want_path)
        if got.dtype != np.float32:
            print("allclose: %s: got dtype %s, expected float32" % (where, got.dtype))
            ok = False
            continue
        if got.shape != want.shape:
            print("allclose: %s: shape %s, expected %s" % (where, got.shape, want.shape))
            ok = False
            continue
        got64 = got.astype(np.float64)
        want64 = want.astype(np.float64)
        close = np.isclose(got64, want64, rtol=args.rtol, atol=args.atol, equal_nan=True)
        if not close.all():
            bad = np.argwhere(~close)
            first = tuple(bad[0])
            err = np.abs(got64 - want64)
            err[np.isnan(err)] = np.inf
            print("allclose: %s: %d of %d elements differ; max abs error %g; first at %s: got %r, expected %r"
                  % (where, len(bad), got.size, np.nanmax(err), list(first),
                     float(got64[first]), float(want64[first])))
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
