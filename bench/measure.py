"""What bench/compare_torch and bench/compare_train share: run a command in
a process of its own and read its peak resident memory."""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_measured(cmd, env):
    """(stdout, peak RSS MiB, wall seconds): wait4 on the child gives its own ru_maxrss (KiB on Linux)."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: reading both pipes in turn could block
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f'{os.path.basename(sys.argv[0])}: {" ".join(cmd)} failed ({proc.returncode}):\n'
                     f'{err.read().decode()}')
    return out.decode(), usage.ru_maxrss / 1024.0, seconds


def cpu_model():
    with open('/proc/cpuinfo') as f:
        names = [line.split(':', 1)[1].strip() for line in f if line.startswith('model name')]
    return names[0] if names else 'unknown CPU'


def fmt_num(ms):
    return f'{ms:.0f}' if ms >= 100 else f'{ms:.3g}'


def fmt_ms(times):
    """'median (min)', or the one time."""
    med = statistics.median(times)
    return f'{fmt_num(med)} ({fmt_num(min(times))})' if len(times) > 1 else fmt_num(med)
