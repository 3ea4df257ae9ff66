"""Multi-GPU and multi-node training of the classifiers through Hugging Face Accelerate.

skorch's :class:`skorch.hf.AccelerateMixin` hands the network, the optimiser, the
learning-rate schedule and the data loaders to an ``accelerate.Accelerator``, which
runs data-parallel training (torch DDP) over the processes that ``accelerate launch``
starts, with mixed precision if asked. :class:`AudioAccelerateMixin` is that mixin
fitted to the skaudio classifiers; see the user guide's "Scaling up training".
"""

from __future__ import annotations

from skorch.hf import AccelerateMixin
from skorch.utils import noop

from skaudio.models._base import AudioNetClassifier

__all__ = ["AudioAccelerateMixin"]


class AudioAccelerateMixin(AccelerateMixin):
    """skorch's ``AccelerateMixin`` for the skaudio classifiers: mix it in first.

    skorch's mixin replaces the training step with a plain forward and backward pass,
    which would silently drop the classifiers' augmentation (noise, shifts, crops,
    SpecAugment, mixup) and their parameter checks; this one keeps the recipe and lets
    the accelerator do the backward pass (gradient scaling, gradient synchronisation
    across processes). Pass ``accelerator=Accelerator(...)``; ``device`` must stay None
    (the accelerator places the network and the batches) and ``amp`` False (mixed
    precision is the accelerator's: ``Accelerator(mixed_precision="fp16")`` or
    ``"bf16"``). ``checkpoint_dir`` works in one process only (refused with more).

    Parameters
    ----------
    accelerator : accelerate.Accelerator
        The accelerator; ``Accelerator(cpu=True)`` runs on the CPU in one process.
    unwrap_after_train : bool, default=True
        Hand back the plain network when training ends (skorch's mixin).
    **kwargs
        The classifier's parameters.

    Examples
    --------
    >>> from accelerate import Accelerator
    >>> from skaudio.models import AudioAccelerateMixin, SECNNClassifier
    >>> class AcceleratedSECNN(AudioAccelerateMixin, SECNNClassifier):
    ...     '''SE-CNN trained through Accelerate.'''
    >>> clf = AcceleratedSECNN(accelerator=Accelerator(cpu=True), max_epochs=1)
    >>> clf.device is None
    True
    """

    def _validate_params(self):
        super()._validate_params()
        if self.amp:
            raise ValueError(
                f"amp={self.amp!r} with an Accelerator: mixed precision is the accelerator's, "
                "e.g. Accelerator(mixed_precision='fp16'); leave amp=False"
            )
        if self.checkpoint_dir is not None and self.accelerator.num_processes > 1:
            # each process has random generators of its own, which one checkpoint folder
            # written by every process cannot hold; not built (no multi-GPU machine to test on)
            raise ValueError(
                f"checkpoint_dir resumes single-process training; this Accelerator runs "
                f"{self.accelerator.num_processes} processes: leave checkpoint_dir=None"
            )

    def _initialize_callbacks(self):
        # skorch's mixin prints the epoch log through the accelerator whatever verbose says
        if self.callbacks__print_log__sink == "auto" and not self.verbose:
            self.callbacks__print_log__sink = noop
        return super()._initialize_callbacks()

    def initialize(self):
        # skorch's mixin rebuilds initialize without calling the classifier's: repeat what
        # the classifier's adds (labels from classes= for prediction without fit)
        super().initialize()
        if not hasattr(self, "classes_inferred_") and self.classes is not None:
            self.classes_inferred_ = self._class_order(self.classes)
        return self

    def train_step_single(self, batch, **fit_params):
        with self.accelerator.autocast():
            return AudioNetClassifier.train_step_single(self, batch, **fit_params)

    def _backward(self, loss):
        self.accelerator.backward(loss)
