"""What the seed document (shared/seed/000_a92bc3679fa58126.txt) publishes, pinned as data.

The seed's confusion table is garbled by text extraction; its row sums (detection prevalence)
and 1,000 test images per class fix it uniquely (see shared/ENVIRONMENT.md).
"""

from __future__ import annotations

import numpy as np

#: rows = Prediction 0..9, columns = Reference 0..9
SEED_TABLE = np.array([
    [845, 2, 28, 25, 3, 0, 134, 0, 1, 0],
    [2, 983, 3, 10, 0, 0, 0, 0, 0, 0],
    [14, 2, 808, 18, 78, 0, 76, 0, 3, 0],
    [20, 6, 6, 886, 35, 0, 22, 0, 4, 0],
    [4, 5, 90, 29, 818, 0, 53, 0, 2, 0],
    [2, 0, 0, 1, 0, 970, 0, 13, 3, 8],
    [105, 1, 64, 25, 64, 0, 709, 0, 9, 1],
    [0, 0, 0, 0, 0, 21, 0, 957, 2, 37],
    [8, 1, 1, 6, 2, 0, 6, 1, 976, 0],
    [0, 0, 0, 0, 0, 9, 0, 29, 0, 954],
])

#: the "Overall Statistics" block as the seed prints it
SEED_OVERALL_PRINTED = {
    "Accuracy": "0.8906",
    "95% CI": "(0.8843, 0.8967)",
    "No Information Rate": "0.1",
    "P-Value [Acc > NIR]": "< 2.2e-16",
    "Kappa": "0.8784",
    "Mcnemar's Test P-Value": "NA",
}

#: the "Statistics by Class" block as the seed prints it, classes 0..9
SEED_BY_CLASS_PRINTED = {
    "Sensitivity": "0.8450 0.9830 0.8080 0.8860 0.8180 0.9700 0.7090 0.9570 0.9760 0.9540",
    "Specificity": "0.9786 0.9983 0.9788 0.9897 0.9797 0.9970 0.9701 0.9933 0.9972 0.9958",
    "Pos Pred Value": "0.8141 0.9850 0.8088 0.9050 0.8172 0.9729 0.7249 0.9410 0.9750 0.9617",
    "Neg Pred Value": "0.9827 0.9981 0.9787 0.9874 0.9798 0.9967 0.9677 0.9952 0.9973 0.9949",
    "Prevalence": "0.1000 0.1000 0.1000 0.1000 0.1000 0.1000 0.1000 0.1000 0.1000 0.1000",
    "Detection Rate": "0.0845 0.0983 0.0808 0.0886 0.0818 0.0970 0.0709 0.0957 0.0976 0.0954",
    "Detection Prevalence": "0.1038 0.0998 0.0999 0.0979 0.1001 0.0997 0.0978 0.1017 0.1001 0.0992",
    "Balanced Accuracy": "0.9118 0.9907 0.8934 0.9378 0.8988 0.9835 0.8396 0.9752 0.9866 0.9749",
}

SEED_ACCURACY = 0.8906
SEED_TEST_N = 10000

#: the layers the seed's printed summary lists (name, output width, params); it omits the
#: fourth dropout layer its code adds (dropout_3), which has no parameters.
SEED_SUMMARY_LAYERS = (
    ("flatten", "Flatten", 784, 0),
    ("dense", "Dense", 128, 100480),
    ("dropout", "Dropout", 128, 0),
    ("dense_1", "Dense", 64, 8256),
    ("dropout_1", "Dropout", 64, 0),
    ("dense_2", "Dense", 32, 2080),
    ("dropout_2", "Dropout", 32, 0),
    ("dense_3", "Dense", 10, 330),
)
SEED_TOTAL_PARAMS = 111146


def parse_printed_report(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """The overall block and the by-class rows of a caret print, as printed strings.

    By-class rows are joined across R's column blocks, so they compare with
    :data:`SEED_BY_CLASS_PRINTED` whatever the wrapping.
    """
    overall: dict[str, str] = {}
    by_class: dict[str, list[str]] = {}
    section = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("Overall Statistics"):
            section = "overall"
            continue
        if line.startswith("Statistics by Class"):
            section = "by_class"
            continue
        if section == "overall" and " : " in line:
            name, value = line.split(" : ", 1)
            overall[name.strip()] = value.strip()
        elif section == "by_class" and line and not line.lstrip().startswith("Class:"):
            parts = line.split()
            values = [p for p in parts if _is_number_or_na(p)]
            name = " ".join(parts[: len(parts) - len(values)])
            by_class.setdefault(name, []).extend(values)
    return overall, {k: " ".join(v) for k, v in by_class.items()}


def _is_number_or_na(token: str) -> bool:
    if token in ("NA", "NaN"):
        return True
    try:
        float(token)
    except ValueError:
        return False
    return True
