"""Python port of the tutorial's R keras/caret workflow (Fashion-MNIST MLP + caret
``confusionMatrix``).

- :mod:`python_impl.caret` - caret's ``confusionMatrix``, exact (NumPy/SciPy/pandas only);
- :mod:`python_impl.data`, :mod:`python_impl.model` - the tutorial's data and model steps (Keras);
- :mod:`python_impl.workflow` - the whole run and its artifacts (``python -m python_impl``).

Importing this package has no side effects: the Keras entry points call
:func:`python_impl.keras_env.prepare` before TensorFlow is first imported.
"""
