#!/usr/bin/env python3
"""exit_code.py CMD [ARGS...]: runs CMD, passing its stdout and stderr through,
then prints "exit code: N" on stdout and exits 0. Lets a test check the exact
exit status and, with FileCheck's -NEXT, that the error was one line."""
import subprocess
import sys

if len(sys.argv) < 2:
    sys.exit("usage: exit_code.py CMD [ARGS...]")
sys.stdout.flush()
result = subprocess.run(sys.argv[1:])
print("exit code: %d" % result.returncode, flush=True)
