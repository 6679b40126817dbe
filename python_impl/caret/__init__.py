"""caret's ``confusionMatrix`` in Python, exact to R's doubles and R's printed text.

Depends on NumPy, SciPy and pandas only: importing it loads no Keras, TensorFlow or rpy2 and
changes no environment variable.

- :mod:`python_impl.caret.confusion` - the port (``confusion_matrix``, ``confusion_matrix_from_table``);
- :mod:`python_impl.caret.rformat` - R's number formatting and matrix printing;
- :mod:`python_impl.caret.toms708` - R's ``pbeta`` (TOMS 708 as R 4.2 runs it).

Examples
--------
>>> from python_impl.caret import confusion_matrix
>>> cm = confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0])
>>> float(cm.overall["Accuracy"])
0.75
"""

from python_impl.caret.confusion import (
    BY_CLASS_NAMES,
    MODES,
    NA,
    OVERALL_NAMES,
    ConfusionMatrix,
    binom_ci,
    confusion_matrix,
    confusion_matrix_from_table,
    is_na,
)
from python_impl.caret.measures import (
    f_meas,
    neg_pred_value,
    pos_pred_value,
    precision,
    recall,
    sensitivity,
    specificity,
)
from python_impl.caret.rnumeric import RError, RWarning
from python_impl.caret.roc import ci_auc_delong, roc_auc
from python_impl.caret.summaries import (
    default_summary,
    mn_log_loss,
    multi_class_summary,
    post_resample,
    pr_summary,
    two_class_summary,
)

__all__ = ["BY_CLASS_NAMES", "MODES", "NA", "OVERALL_NAMES", "ConfusionMatrix", "binom_ci",
           "confusion_matrix", "confusion_matrix_from_table", "is_na",
           # caret's other performance measures, pROC's AUC and DeLong CI
           "RError", "RWarning", "ci_auc_delong", "default_summary", "f_meas", "mn_log_loss",
           "multi_class_summary", "neg_pred_value", "pos_pred_value", "post_resample", "pr_summary",
           "precision", "recall", "roc_auc", "sensitivity", "specificity", "two_class_summary"]
