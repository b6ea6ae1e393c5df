"""npopt.layout: every variant against its reference, and its bad-input errors."""
from kernel_checks import *  # noqa: F401,F403  (the checks every kernel gets)

TECHNIQUE = "layout"
