// Bad .npy inputs: each is one error line naming the file, exit code 1, and
// no output file.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; \
// RUN:   np.save('%t/good.npy', np.ones((2, 3), np.float32)); \
// RUN:   np.save('%t/i64.npy', np.ones((2, 3), np.int64)); \
// RUN:   np.save('%t/f64.npy', np.ones((2, 3), np.float64)); \
// RUN:   np.save('%t/be.npy', np.ones((2, 3), '>f4')); \
// RUN:   np.save('%t/fortran.npy', np.asfortranarray(np.ones((2, 3), np.float32))); \
// RUN:   good = open('%t/good.npy', 'rb').read(); \
// RUN:   open('%t/short.npy', 'wb').write(good[:-5]); \
// RUN:   open('%t/header.npy', 'wb').write(good[:30]); \
// RUN:   open('%t/long.npy', 'wb').write(good + bytes(4)); \
// RUN:   open('%t/text.npy', 'w').write('not numpy')"
//
// RUN: swin-run --cpu-reference %s --input %t/good.npy --output %t/ok.npy
// RUN: test -e %t/ok.npy
//
// RUN: not swin-run --cpu-reference %s --input %t/i64.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=I64
// I64: swin-run: error: {{.*}}i64.npy: expected float32 ('<f4'), got '<i8'
// RUN: not swin-run --cpu-reference %s --input %t/f64.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=F64
// F64: swin-run: error: {{.*}}f64.npy: expected float32 ('<f4'), got '<f8'
// RUN: not swin-run --cpu-reference %s --input %t/be.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=BE
// BE: swin-run: error: {{.*}}be.npy: expected float32 ('<f4'), got '>f4'
// RUN: not swin-run --cpu-reference %s --input %t/fortran.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=FORTRAN
// FORTRAN: swin-run: error: {{.*}}fortran.npy: Fortran-ordered arrays are not supported
// RUN: not swin-run --cpu-reference %s --input %t/short.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=SHORT
// SHORT: swin-run: error: {{.*}}short.npy: truncated data: shape [2,3] needs 24 bytes, the file has 19
// RUN: not swin-run --cpu-reference %s --input %t/header.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=HEADER
// HEADER: swin-run: error: {{.*}}header.npy: truncated .npy header
// RUN: not swin-run --cpu-reference %s --input %t/long.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=LONG
// LONG: swin-run: error: {{.*}}long.npy: file has 4 unexpected bytes after the data of shape [2,3]
// RUN: not swin-run --cpu-reference %s --input %t/text.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=TEXT
// TEXT: swin-run: error: {{.*}}text.npy: not a .npy file (bad magic string)
// RUN: not swin-run --cpu-reference %s --input %t/missing.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: swin-run: error: {{.*}}missing.npy: cannot read file: No such file or directory
//
// Each failure printed exactly one line.
// RUN: not swin-run --cpu-reference %s --input %t/short.npy --output %t/y.npy 2>&1 | count 1
// RUN: not test -e %t/y.npy
//
// An output that cannot be written is an error too (the directory is missing).
// RUN: not swin-run --cpu-reference %s --input %t/good.npy --output %t/nodir/y.npy 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: swin-run: error: {{.*}}nodir/y.npy: cannot write: No such file or directory

func.func @main(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %y = swin.relu %x : tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
