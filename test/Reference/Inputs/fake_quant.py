"""NumPy reference for swin.quantize / swin.dequantize (symmetric, RNE).

Independent of the C++ implementation: E4M3 rounding picks the nearest value
of the enumerated E4M3 grid, ties to the even code.
"""
import numpy as np


def e4m3_grid():
    """All non-negative finite E4M3 (fn) values, ordered, by code 0..126."""
    values = []
    for code in range(127):  # 0x7f is NaN
        exponent, mantissa = code >> 3, code & 7
        if exponent == 0:
            values.append(mantissa / 8.0 * 2.0 ** -6)
        else:
            values.append((1 + mantissa / 8.0) * 2.0 ** (exponent - 7))
    return np.array(values, dtype=np.float64)


def round_e4m3(x):
    """Nearest E4M3 value, ties to even code, saturating at +-448."""
    grid = e4m3_grid()
    x = np.asarray(x, dtype=np.float64)
    mag = np.minimum(np.abs(x), 448.0)
    hi = np.clip(np.searchsorted(grid, mag), 0, len(grid) - 1)
    lo = np.clip(hi - 1, 0, len(grid) - 1)
    dlo, dhi = mag - grid[lo], grid[hi] - mag
    pick = np.where(dlo < dhi, lo, np.where(dhi < dlo, hi, np.where(lo % 2 == 0, lo, hi)))
    return np.sign(x) * grid[pick]


def quantize(x, scales, axis=None, kind="int8"):
    """The grid value x quantizes to: x * float32(1/scale), rounded, saturated."""
    x = np.asarray(x, dtype=np.float32)
    inverse = (np.float32(1.0) / np.asarray(scales, dtype=np.float32)).astype(np.float32)
    if axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        inverse = inverse.reshape(shape)
    scaled = (x * inverse).astype(np.float32)
    if kind == "int8":
        return np.clip(np.rint(scaled), -128, 127)
    return round_e4m3(scaled)
