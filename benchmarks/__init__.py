"""asv's benchmark suite (asv.conf.json's benchmark_dir): thin classes over the measurement package.

asv imports this package alone (asv_runner's SpecificImporter finds ``benchmarks`` only), so the
checkout, where the measurement package lives, is put on sys.path here: last, after site-packages,
so that ``npopt`` stays the asv environment's build of the commit under test.
"""
import os
import sys

_CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _CHECKOUT not in sys.path:
    sys.path.append(_CHECKOUT)
