"""The measurement engine: below benchmarks/ (asv's classes) and tools/ (the commands), above npopt/.

- ``paths``: where the checkout is, and its git;
- ``point``: one benchmark point and its spellings;
- ``grids``: which points a run measures (grids, headline-only and quick runs, the claims' sizes);
- ``inputs``: a point's call built (inputs made once, aligned) and prepared;
- ``timing``: how a call is timed (calibration, samples, interleaving);
- ``suite``: the whole suite timed in fresh processes, or read from the matrix's samples;
- ``matrix_worker``: the measuring process that tools/matrix.py starts in every environment;
- ``cost``: how a call's cost is counted (Valgrind);
- ``change``: "changed or noise", intervals, multiple comparisons (the one judge);
- ``machine``: who the machine is.

Nothing here imports benchmarks/ or tools/.
"""
