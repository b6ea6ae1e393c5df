"""Build npopt with its Cython extension.

The extension reads arrays through typed memoryviews (the buffer protocol) and never uses NumPy's
C API, so it needs no NumPy headers and has no NumPy ABI to break. It records the NumPy installed
where it was built (npopt.compiled.BUILT_WITH_NUMPY): asv builds it inside each benchmark
environment, and a benchmark and a test prove that it matches the NumPy it runs with.
"""
from importlib.metadata import PackageNotFoundError, version

from Cython.Build import cythonize
from setuptools import Extension, setup

try:
    numpy_version = version("numpy")
except PackageNotFoundError:
    numpy_version = "none"

extension = Extension(
    "npopt._recurrences",
    ["npopt/_recurrences.pyx"],
    define_macros=[("NPOPT_BUILT_WITH_NUMPY", f'"{numpy_version}"')],
)

setup(ext_modules=cythonize([extension], language_level=3))
