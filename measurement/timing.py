"""How a call is timed: calls per sample calibrated, samples taken in turn, garbage collection off.

Every timed figure (asv's ``track_seconds``, ``track_speedup`` and ``track_percent_of_triad``, the
regression gate and the repeat command) comes from here: each call warmed, the number of calls per
sample calibrated so a sample lasts at least SAMPLE_SECONDS, the calls of one run sampled in turn
(round-robin) until WINDOW_SECONDS have passed and each has MIN_SAMPLES samples, and the *minimum*
kept (noise on a CPU only ever adds time).

Why a window: on the shared hosts here a pure-CPU loop runs alternately at two speeds about 1.5x
apart, in phases of seconds (docs/measurement.md). A process that times its figure in a fraction of
a second is in one phase or the other; a minimum over samples spread across several seconds reaches
the fast phase.
"""
import gc
import math
import time

SAMPLE_SECONDS = 0.005  # each sample lasts at least this long (calls per sample are calibrated)
WINDOW_SECONDS = 12.0  # each measuring process of the whole suite spreads its samples over at least this long
MIN_SAMPLES = 3  # ... and each call gets at least this many, however slow it is
PASSES = 3  # tools/matrix.py's sample of a point: the best of this many passes (``best_of_passes``)
LONG_PASSES = 2  # ... for a point whose sample is one call


def calibrate(fn, args, seconds):
    """(calls per sample, the seconds of the first call made to find out): enough calls of fn(*args) to
    last ``seconds``, from the first call and, where that was shorter, batches of calls.

    The timed call is also the warm-up of a call that was not called before (an interpreted
    reference); compiled variants were called once when prepared, so compilation is never timed.
    """
    start = time.perf_counter()
    fn(*args)
    elapsed = time.perf_counter() - start
    number = max(1, math.ceil(seconds / max(elapsed, 1e-9)))
    # A first call is cold, and a batch can be preempted: either would leave a fast call too few calls per
    # sample, each sample then mostly the cold start of its first call. Batches grow until one lasts half
    # a sample.
    while number > 1:
        batch = timed(fn, args, number) * number
        if batch >= seconds / 2:
            break
        number = math.ceil(number * seconds / max(batch, 1e-12))
    return number, elapsed


def timed(fn, args, number, least=0.0):
    """Seconds per call of fn(*args) over batches of ``number`` calls in a row, as many batches as last
    ``least`` seconds: one sample.

    The first call after the process was idle is slow (a 64x64 matmul: 300 us, against 25 us warm),
    and a point calibrated while its neighbours built (``calibrate``) can get a few calls per batch:
    its samples would then be mostly that first call, and it alone slower than the same point in
    another process. A sample of at least ``least`` seconds bounds that share whatever the batch.
    """
    calls, begin = 0, time.perf_counter()
    while True:
        for _ in range(number):
            fn(*args)
        calls += number
        elapsed = time.perf_counter() - begin
        if elapsed >= least:
            return elapsed / calls


def interleaved_samples(calls, window=None, min_samples=None, seconds=None):
    """{key: [seconds per call, one per sample]} for ``calls`` = {key: (fn, args)}.

    The calls are sampled in turn, one sample each per pass, so a slow phase of the machine hits
    all of them alike; passes continue until ``window`` seconds have passed and every call has
    ``min_samples`` samples. A calibration call that lasts a sample is a one-call sample like the
    others, which spares a call of the slowest points (an interpreted loop: a third of a second a
    call). Defaults: WINDOW_SECONDS, MIN_SAMPLES, SAMPLE_SECONDS.
    """
    window = WINDOW_SECONDS if window is None else window
    min_samples = MIN_SAMPLES if min_samples is None else min_samples
    seconds = SAMPLE_SECONDS if seconds is None else seconds
    enabled = gc.isenabled()
    gc.disable()
    try:
        numbers, out = {}, {}
        for key, (fn, args) in calls.items():
            numbers[key], elapsed = calibrate(fn, args, seconds)
            out[key] = [elapsed] if elapsed >= seconds else []
        start = time.perf_counter()
        while calls and (min(map(len, out.values())) < min_samples or time.perf_counter() - start < window):
            for key, (fn, args) in calls.items():
                out[key].append(timed(fn, args, numbers[key], seconds / 2))
    finally:
        if enabled:
            gc.enable()
    return out


def best_seconds(calls, **options):
    """{key: the minimum of its ``interleaved_samples``}."""
    return {key: min(taken) for key, taken in interleaved_samples(calls, **options).items()}


def best_of_passes(wanted):
    """One sample of each (call, calls per sample) of ``wanted``: the least seconds per call over PASSES
    passes through them all in turn (LONG_PASSES where a sample is one call)."""
    best = [math.inf] * len(wanted)
    for p in range(PASSES):
        for i, ((fn, args), number) in enumerate(wanted):
            if p < (PASSES if number > 1 else LONG_PASSES):
                best[i] = min(best[i], timed(fn, args, number, SAMPLE_SECONDS / 2))
    return best
