"""The reports read from stored results (tools/results.py) and judged by measurement/change.py:

    overview.py   the speedups per NumPy version, with the run's controls (make overview)
    claims.py     NumPy's release-note speed claims against the measurements (make claims)
    summary.py    every figure of the newest run, with its interval (make summary)
    report.py     the results pages docs/results/ and the README's results table (make report)
    machines.py   the machines side by side (the dashboard's machines page)
"""
