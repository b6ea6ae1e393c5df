"""Build npopt with its Cython extension, compiled against the NumPy installed in this environment.

The extension records that NumPy version (npopt.compiled.BUILT_WITH_NUMPY), so a test can prove
each benchmark environment compiled it against the NumPy it runs with.
"""
import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

extension = Extension(
    "npopt._recurrences",
    ["npopt/_recurrences.pyx"],
    include_dirs=[numpy.get_include()],
    define_macros=[("NPOPT_BUILT_WITH_NUMPY", f'"{numpy.__version__}"')],
)

setup(ext_modules=cythonize([extension], language_level=3))
