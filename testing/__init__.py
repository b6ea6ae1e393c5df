"""The rehearsal and trial infrastructure, not user commands: `python -m testing.nightly` runs the
nightly workflow night after night against a local stand-in for GitHub (docs/nightly.md);
`python -m testing.trials` measures the regression gate on planted slowdowns (docs/gate.md)."""
