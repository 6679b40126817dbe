"""Capture at the library boundary: audit two scripts as they are, without writer calls.

``python -m parity.capture --out DIR --settings JSON -- <command...>`` runs one side's script
unmodified - a Python script in this process with hooks on Keras' ``Model.compile/fit/
evaluate/predict``, on the port's caret (:mod:`python_impl.caret`) and on scikit-learn's,
SciPy's and statsmodels' statistics; an R script through ``Rscript`` with the R capture
(``capture.Rprofile``) - and writes ONE contract run directory: the ``capture`` section (every
recognised call in order, its arrays and facts) and the contract's parts from the first call of
each kind, through the same writer an instrumented script uses.

- :mod:`parity.capture.driver` - the command line (:func:`main`), the R hand-over;
- :mod:`parity.capture.python_side` - the hooks and the recorder.

Importing this package imports NumPy and the contract only: Keras, TensorFlow, scikit-learn,
SciPy, statsmodels and the port's caret are patched when the script imports them.
"""

from parity.capture.driver import main

__all__ = ["main"]
