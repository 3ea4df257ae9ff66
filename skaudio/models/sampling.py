"""Samplers of training clips for the classifiers' ``balance`` parameter."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from numpy.typing import ArrayLike

__all__ = ["BalancedUnderSampler"]


class BalancedUnderSampler(torch.utils.data.Sampler):
    """Class-balanced random under-sampling, drawn anew at every epoch.

    Each pass (epoch) keeps, from every class, as many clips as the smallest class
    has, drawn at random without replacement, and yields their positions in a random
    order. The majority classes thus show a different subset every epoch, as in
    DEGramNet's training ("we balanced the dataset at the beginning of each epoch by
    randomly under-sampling the majority classes without replacement", Foggia et al.
    2023, Sect. 3.3).
    The draws come from a generator of the sampler's own, so a seed fixes the whole
    sequence of epochs and torch's global random state is left alone.

    Parameters
    ----------
    labels : array-like of shape (n_clips,)
        The label of every clip of the dataset the sampler indexes.
    seed : int, default=0
        Seed of the sampler's generator.

    Attributes
    ----------
    classes_ : ndarray
        The distinct labels.
    n_per_class : int
        Clips of each class per epoch (the smallest class's count).

    Examples
    --------
    >>> import numpy as np
    >>> s = BalancedUnderSampler([0, 0, 0, 0, 1, 1, 2, 2], seed=0)
    >>> len(s), s.n_per_class
    (6, 2)
    >>> epoch = list(s)
    >>> np.bincount(np.array([0, 0, 0, 0, 1, 1, 2, 2])[epoch]).tolist()
    [2, 2, 2]
    """

    def __init__(self, labels: ArrayLike, seed: int = 0) -> None:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.size == 0:
            raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
        self.classes_, inverse = np.unique(labels, return_inverse=True)
        self._members = [np.flatnonzero(inverse == k) for k in range(len(self.classes_))]
        self.n_per_class = min(len(m) for m in self._members)
        self.generator = torch.Generator().manual_seed(int(seed))

    def __len__(self) -> int:
        return self.n_per_class * len(self._members)

    def __iter__(self) -> Iterator[int]:
        keep = [
            m[torch.randperm(len(m), generator=self.generator)[: self.n_per_class].numpy()]
            for m in self._members
        ]
        order = np.concatenate(keep)
        return iter(order[torch.randperm(len(order), generator=self.generator).numpy()].tolist())
