"""The nightly's own tools: retention of the results branch (retention.py) and the merge of the fan-out's
artifacts (merge.py)."""
