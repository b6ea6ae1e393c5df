"""Time the points the matrix compares in every environment at once, so a slow phase of the host hits
every environment alike.

A worker process per asv environment (benchmarks/matrix_worker.py, started with that environment's
interpreter and variables) builds the headline points. Then, round after round, each kernel's points
are sampled in every environment in turn, the environments in a shuffled order per kernel: one round
visits every environment within seconds, where asv's one-environment-after-another order put minutes
between them, and the host's speed moves by up to 2x over minutes. Round r of one environment is
thus paired with round r of another (measurement/change.py).

After each set of rounds (ROUNDS_PER_PROCESS; a kernel with a canary takes more: ``rounds_per_process``)
the workers are replaced by new processes, which build again only the kernels still sampled: a
process is slow or fast for its whole life (where its memory landed, the state its allocator was left
in), so one process per environment left each environment's figures off by its own process's luck,
which no number of its rounds could show. The judge's unit is the process (measurement/change.py
``compare_pairs``).

After MIN_ROUNDS (CANARY_ROUNDS for the kernels with a canary: ``least_rounds``), rounds go on only for
the kernels with a comparison that more rounds could still get marked (measurement/change.py
``worth_sampling``), up to MAX_ROUNDS, the budget (BUDGET_SECONDS of sampling and of building the
workers after the first) set aside for the cheapest kernels' rounds first (``next_round``): the
samples go where the test needs them and cost least, not to a comparison already sure or too weak to
be marked. Each environment's samples are written to <out>/<environment name>.json, which the asv
run that follows reads as its measurement (measurement/suite.py ``interleaved``).
"""
import json
import os
import random
import re
import subprocess
import time

from packaging.version import Version

from measurement import change
from measurement.grids import GRID, SELECT
from measurement.inputs import speedups
from npopt.registry import KERNELS
from tools.results import AA_SWITCH, ROOT, SIMD_SWITCH, baselines

ROUNDS_PER_PROCESS = change.ROUNDS_PER_PROCESS  # then every worker is replaced by a new process
MIN_ROUNDS = 2 * ROUNDS_PER_PROCESS
MAX_ROUNDS = 16
CANARY_ROUNDS = 10  # the fewest, split evenly over the processes, that bound change.noise_interval (9 environments)
BUDGET_SECONDS = 270.0  # of sampling and of starting workers, after the first are built
SEED = 0
_WORKER = f"import sys; sys.path.append({ROOT!r}); from benchmarks.matrix_worker import serve; serve()"


class Worker:
    """A benchmarks/matrix_worker.py process in one asv environment. It starts in the environment's folder:
    ``python -c`` puts its working directory first on sys.path, and from the checkout the working tree's
    npopt would shadow the environment's build."""

    def __init__(self, env, variables):
        self.env = env
        self.process = subprocess.Popen(
            [os.path.join(env._path, "bin", "python"), "-c", _WORKER], cwd=env._path, text=True, bufsize=1,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**variables, **env.env_vars, GRID: "headline"})

    def _reply(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the measuring worker of {self.env.name} exited ({self.process.wait()})")
        return json.loads(line)

    def hello(self):
        """The worker's points and the bytes its memory-bound points move, once it has built them."""
        reply = self._reply()
        self.keys = [tuple(k) for k in reply["keys"]]
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.moved = reply["bytes_moved"]

    def sample(self, keys):
        """One sample (seconds per call) of each of ``keys`` this worker has, as {key: seconds}."""
        mine = [k for k in keys if k in self.index]
        if not mine:
            return {}
        self.process.stdin.write(json.dumps({"sample": [self.index[k] for k in mine]}) + "\n")
        return dict(zip(mine, self._reply()["seconds"]))

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def twin(env):
    return SIMD_SWITCH in env.env_vars or AA_SWITCH in env.env_vars


def has_canary(kernel):
    return any(v.canary for v in kernel.variants.values())


def least_rounds(kernel):
    """CANARY_ROUNDS for a kernel with a canary (its samples are the run's noise floor, and the canaries'
    control needs that many to bound it: measurement/change.py ``noise_interval``), else MIN_ROUNDS."""
    return CANARY_ROUNDS if has_canary(kernel) else MIN_ROUNDS


def rounds_per_process(kernel):
    """The rounds kernel takes from each set of worker processes: ROUNDS_PER_PROCESS, but a kernel with a
    canary takes its CANARY_ROUNDS in the processes every kernel gets (MIN_ROUNDS' worth): its rounds
    cost a fraction of a second, more processes for it alone a start of every worker each (about 15 s).
    The judge averages each process's rounds (measurement/change.py ``compare_pairs``)."""
    processes = MIN_ROUNDS // ROUNDS_PER_PROCESS
    return -(-CANARY_ROUNDS // processes) if has_canary(kernel) else ROUNDS_PER_PROCESS


def next_round(wanted, rounds, least, cost, left, per_process=None):
    """The kernels of ``wanted`` that the next worker processes sample, given the ``left`` seconds of the
    budget; each takes its ``per_process`` rounds there (ROUNDS_PER_PROCESS where not given).

    Those short of their ``least`` rounds always, and that many rounds are set aside for them; then the
    cheapest of the others first, each with the rounds it may still take up to MAX_ROUNDS set aside
    where the budget pays them all, else with one more process's rounds where it pays that. ``cost``:
    a kernel's last round, in seconds. Giving every undecided kernel its rounds at once spent the budget
    on the dearest ones (a 3 s round of dtypes.polynomial) while comparisons costing a tenth of that
    stopped at 9 rounds, unmarked in one run and marked in the next (docs/measurement.md)."""
    forced = [k for k in wanted if rounds[k] < least[k]]
    left -= sum(cost[k] * (least[k] - rounds[k]) for k in forced)
    chosen = []
    for k in sorted((k for k in wanted if k not in forced), key=cost.get):
        spend = cost[k] * (MAX_ROUNDS - rounds[k])
        spend = spend if spend <= left else cost[k] * (per_process or {}).get(k, ROUNDS_PER_PROCESS)
        if spend <= left:
            chosen.append(k)
            left -= spend
    return forced + chosen


def comparisons(kernel, samples, pairs):
    """The Comparisons of kernel's headline speedups between the environments the overview compares."""
    out = []
    for variant in kernel.variants:
        if variant != kernel.reference:
            figures = [variant_speedups(taken, kernel, variant) for taken in samples]
            out += change.compare_pairs(figures, [(b, a) for b, a in pairs if figures[b] and figures[a]],
                                        rounds_per_process(kernel))
    return out


def variant_speedups(samples, kernel, variant):
    """``speedups`` of variant in one environment's samples, or None where its NumPy lacks the variant."""
    try:
        return speedups(samples, kernel, variant)
    except KeyError:
        return None


def start_workers(envs, variables, kernels=None):
    """A Worker per environment of ``envs``, in their order, ready, all built side by side: an
    environment's arrays are laid out alike only if it builds while the others do. When the twins
    built after the release lines, the twin that built first ran ``inplace.add_scalar:in_place`` in
    1.6 ms against 3.1 ms in all nine lines and the other twin (on the Intel Sapphire Rapids machine;
    built side by side, all eleven took 2.9-3.4 ms), and runs marked its A/A twin 1.34x and 1.37x
    faster. ``kernels``: the only kernel keys they build (SELECT), else all that ``variables`` select."""
    if kernels is not None:
        variables = {**variables, SELECT: "^(" + "|".join(map(re.escape, kernels)) + ")$"}
    workers = []
    try:
        for env in envs:
            workers.append(Worker(env, variables))
        for w in workers:
            w.hello()
    except BaseException:
        close(workers)
        raise
    return workers


def close(workers):
    """End every worker of ``workers``: its input closes, and it exits."""
    for w in workers:
        w.close()


def sample_rounds(workers, kernels, by_kernel, samples, rng):
    """Each kernel's ``rounds_per_process`` rounds of ``kernels``, each kernel's points sampled in every
    worker in turn, the kernels and the workers in shuffled orders; returns {kernel: seconds of its last
    round}."""
    cost, per_process = {}, {k: rounds_per_process(KERNELS[k]) for k in kernels}
    for r in range(max(per_process.values(), default=0)):
        now = [k for k in kernels if per_process[k] > r]
        for kernel_key in rng.sample(now, len(now)):
            visit = time.perf_counter()
            for i in rng.sample(range(len(workers)), len(workers)):
                for key, seconds in workers[i].sample(by_kernel[kernel_key]).items():
                    samples[i][key].append(seconds)
            cost[kernel_key] = time.perf_counter() - visit
    return cost


def measure(envs, variables, out, commit, log=print):
    """Sample the headline points of ``envs`` (asv environment objects in release order, twins after their
    release line) in interleaved rounds, new worker processes every ``rounds_per_process`` rounds, and write
    each environment's samples to ``out``; returns the number of rounds each kernel got."""
    envs = sorted(envs, key=lambda e: (Version(e._requirements.get("numpy")), twin(e)))
    started = time.perf_counter()
    workers = start_workers(envs, variables)
    log(f"matrix: {len(workers)} workers ready in {time.perf_counter() - started:.0f} s")
    columns = [(env._requirements.get("numpy"), twin(env)) for env in envs]
    pairs = [(b, a) for a, b in enumerate(baselines(columns)) if b is not None]
    by_kernel, moved = {}, [w.moved for w in workers]
    for key in sorted({k for w in workers for k in w.keys}):
        by_kernel.setdefault(key[0], []).append(key)
    samples = [{k: [] for k in w.keys} for w in workers]
    rounds, active = dict.fromkeys(by_kernel, 0), list(by_kernel)
    least = {k: least_rounds(KERNELS[k]) for k in by_kernel}
    rng, begin, tests, cost = random.Random(SEED), time.perf_counter(), {}, {}
    while True:
        try:
            cost.update(sample_rounds(workers, active, by_kernel, samples, rng))
        finally:
            close(workers)
        for k in active:
            rounds[k] += rounds_per_process(KERNELS[k])
        elapsed = time.perf_counter() - begin
        tests.update({k: comparisons(KERNELS[k], samples, pairs) for k in active if rounds[k] >= MIN_ROUNDS})
        bound = change.sure_bound([c for kernel_tests in tests.values() for c in kernel_tests])
        wanted = [k for k in by_kernel if rounds[k] < least[k] or (
            rounds[k] < MAX_ROUNDS and any(change.worth_sampling(c, bound, rounds[k], MAX_ROUNDS) for c in tests[k]))]
        active = next_round(wanted, rounds, least, cost, BUDGET_SECONDS - elapsed,
                            {k: rounds_per_process(KERNELS[k]) for k in by_kernel})
        log(f"matrix: round {max(rounds.values())} done at {elapsed:.0f} s, {len(active)} kernels still sampled")
        if not active:
            break
        workers = start_workers(envs, variables, active)
    os.makedirs(out, exist_ok=True)
    for env, bytes_moved, taken in zip(envs, moved, samples):
        with open(os.path.join(out, f"{env.name}.json"), "w") as f:
            json.dump({"commit": commit, "env": env.name, "samples": [[list(k), s] for k, s in taken.items()],
                       "bytes_moved": bytes_moved}, f)
    return rounds
