"""One run at a time per checkout: the lock each command takes on what it writes.

    command                                writes                          lock     a second run
    make bench, make history (tools.bench) results/, then html/            results  refuses
    make bench-quick                       .asv/quick/                     quick    refuses
    make publish, and the end of a bench   html/ (built in .asv/publish/)  html     waits
    make repeat (tools.repeat)             .asv/repeat/, noise/            repeat   refuses
    make gate, make bisect                 .asv/gate/ (builds, last.json)  gate     waits

A refusal exits at once naming the pid (and command) that holds the lock; a wait prints one line
naming it, then goes on when it is released. Measuring runs refuse: they take tens of minutes, and
one queued behind another would time the same commit again once the first is done, which is rarely
what was meant; the message says which process to wait for or stop. Publishing takes seconds and a
publish asked for after a run should show everything, so it waits. The gate and the bisection wait:
their verdict is still wanted after the run ahead of them, and never timing alongside it keeps
their wall times honest.

The locks are filelock's (an flock(2) on .asv/locks/<name>.lock, or $NPOPT_LOCK_DIR): the kernel
drops them when their process dies, even by SIGKILL, so a killed run never blocks the next. Beside
each lock, <name>.holder says which pid holds it (filelock does not record that).

fake_slow_step is the fault-injection seam of the kill tests: NPOPT_FAKE_SLOW_STEP=<point> makes
the code stop at that named point (as if that step were slow) until it is killed.
"""
import contextlib
import os
import sys
import time

import filelock

from measurement.paths import ROOT


FAKE_SLOW_STEP = "NPOPT_FAKE_SLOW_STEP"
WAITS = {"results": False, "quick": False, "html": True, "repeat": False, "gate": True}


def lock_dir():
    return os.environ.get("NPOPT_LOCK_DIR") or os.path.join(ROOT, ".asv", "locks")


def holder(name):
    """'pid N (command line)' of the process holding lock name, as it wrote it. A killed holder leaves
    its line behind until the next holder replaces it, just after taking the lock: a line naming a
    process that is gone is waited past."""
    path = os.path.join(lock_dir(), f"{name}.holder")
    for _ in range(20):
        try:
            with open(path) as f:
                text = f.read().strip()
        except FileNotFoundError:
            text = ""
        if text and running(int(text.split()[1])):
            return text
        time.sleep(0.05)
    return "an unknown pid"


def running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


@contextlib.contextmanager
def hold(name, wait=None):
    """Hold lock name for the block: wait for it or refuse (SystemExit), as WAITS says for name."""
    wait = WAITS[name] if wait is None else wait
    os.makedirs(lock_dir(), exist_ok=True)
    lock = filelock.FileLock(os.path.join(lock_dir(), f"{name}.lock"))
    try:
        lock.acquire(blocking=False)
    except filelock.Timeout:
        if not wait:
            raise SystemExit(f"refused: another run holds the {name} lock: {holder(name)}; "
                             "wait for it to finish or stop it") from None
        print(f"waiting for the {name} lock, held by {holder(name)}", file=sys.stderr, flush=True)
        lock.acquire()
    try:
        path = os.path.join(lock_dir(), f"{name}.holder")
        with open(path + ".new", "w") as f:
            f.write(f"pid {os.getpid()} ({' '.join(sys.argv)})\n")
        os.replace(path + ".new", path)  # a waiting process never reads it half-written
        yield
    finally:
        lock.release()


def fake_slow_step(point):
    """Stop here for good when NPOPT_FAKE_SLOW_STEP names this point (the kill tests kill us here)."""
    if os.environ.get(FAKE_SLOW_STEP) == point:
        print(f"{FAKE_SLOW_STEP}: pid {os.getpid()} stopped at {point}", file=sys.stderr, flush=True)
        while True:
            time.sleep(60)
