"""Real data sets bundled with scikit-learn (no downloads), ready for a generated network.

Each loader standardises the features with the training split's mean and deviation
(never the test split's: that would leak), splits stratified with a seed, and returns
the labels both as integers and as the targets the output layer needs: one-hot rows for a
softmax/cross-entropy output, one 0/1 column for a sigmoid/BCE output with one unit.
Laying X and Y out in the network's convention is `Split.layout`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import GradauditError

# name -> (sklearn loader name, one-line description)
DATASETS = {
    "digits": ("load_digits", "8x8 handwritten digits, 1797 examples, 64 features, 10 classes"),
    "iris": ("load_iris", "iris flowers, 150 examples, 4 features, 3 classes"),
    "breast_cancer": ("load_breast_cancer", "breast cancer diagnosis, 569 examples, 30 features, 2 classes"),
}


@dataclass(frozen=True)
class Split:
    """Standardised features (examples x features) and integer labels of a train/test split."""
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: int
    image: tuple = ()          # (height, width) when the features are the pixels of an image

    @property
    def features(self) -> int:
        return self.X_train.shape[1]

    def targets(self, y: np.ndarray, outputs: int) -> np.ndarray:
        """Targets as examples x outputs: one-hot for `outputs` == classes, 0/1 for one sigmoid unit."""
        if outputs == 1:
            if self.classes != 2:
                raise GradauditError(
                    f"data set {self.name} has {self.classes} classes; an output layer of one unit fits only 2")
            return y.reshape(-1, 1).astype(float)
        if outputs != self.classes:
            raise GradauditError(f"data set {self.name} has {self.classes} classes but the output layer has {outputs} units")
        return np.eye(self.classes)[y]


def load(name: str, *, test_size: float = 0.25, seed: int = 0) -> Split:
    """Load a bundled data set, split it stratified and seeded, standardise with the training statistics."""
    if name not in DATASETS:
        raise GradauditError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}")
    from sklearn import datasets as skd
    from sklearn.model_selection import train_test_split

    bunch = getattr(skd, DATASETS[name][0])()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
    mean = X_tr.mean(axis=0)
    std = X_tr.std(axis=0)
    std[std == 0] = 1.0           # constant pixels (digits' corners) stay 0 instead of dividing by 0
    image = tuple(bunch.images.shape[1:]) if hasattr(bunch, "images") else ()
    return Split(name, (X_tr - mean) / std, y_tr, (X_te - mean) / std, y_te, int(y.max() + 1), image)
