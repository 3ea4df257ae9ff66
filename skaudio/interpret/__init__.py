"""Interpreting the networks: activation capture, NMF of hidden layers, Grad-CAM.

- :func:`capture_activations`, :class:`ActivationCapture`, :func:`layer_names`:
  forward hooks on named layers of a fitted estimator, pipeline or module;
- :class:`NMFInterpreter`: ``V ≈ W H`` with a hidden layer's activations ``H`` held
  fixed, learning the spectral patterns ``W`` [NMF]_;
- :func:`grad_cam`: class-activation maps over time and frequency.

References
----------
.. [NMF] Dwivedi, "Interpretation of representations of audio signals in hidden layers of a
   neural network using NMF", 2024 (thesis).
"""

from skaudio.interpret._hooks import ActivationCapture, capture_activations, layer_names
from skaudio.interpret.gradcam import grad_cam
from skaudio.interpret.nmf import NMFInterpreter

__all__ = ["ActivationCapture", "capture_activations", "layer_names", "NMFInterpreter", "grad_cam"]
