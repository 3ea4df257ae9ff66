"""Non-negative spectral bases ``W`` fitted in torch against fixed activations.

With the activations ``H`` held fixed, the objective of :class:`NMFInterpreter`,

    ``(||V - W H||_F**2 + smoothness * sum_k ||h_k||**2 ||D w_k||**2) / ||V||_F**2``

(``D`` the first difference along the mel axis, ``w_k`` a column of ``W``, ``h_k`` a
row of ``H``), depends on the data only through ``B = V H^T`` (mels x channels),
``G = H H^T`` (channels x channels) and ``||V||**2``. These are computed once, so an
optimiser step costs ``O(n_mels * n_channels**2)`` whatever the number of clips.

Each basis is a small ``torch.nn.Module`` whose ``forward()`` returns ``W``:

* :class:`SoftplusBasis` -- ``W = softplus(theta)``, Xavier-uniform initialisation;
* :class:`MelConstrainedBasis` -- column ``k`` is a triangle on the (normalised) mel
  axis with learnable centre, half-width and height;
* :class:`MelGaussianBasis` -- ``W = Phi A`` with ``Phi`` a fixed bank of Gaussian
  filters evenly spaced on the mel axis and ``A = softplus(theta) >= 0`` the learned
  scalings.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "SoftplusBasis",
    "MelConstrainedBasis",
    "MelGaussianBasis",
    "gram_terms",
    "objective",
    "fit_basis",
    "nnls_gram",
    "gaussian_filterbank",
    "triangle_init",
]


def gram_terms(V, H):
    """``B = V H^T``, ``G = H H^T`` and ``||V||**2`` over all clips, in float64.

    Parameters
    ----------
    V : ndarray of shape (n_clips, n_mels, n_frames)
    H : ndarray of shape (n_clips, n_channels, n_frames)

    Returns
    -------
    B : ndarray of shape (n_mels, n_channels)
    G : ndarray of shape (n_channels, n_channels)
    vv : float
    """
    V = np.asarray(V, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    B = np.tensordot(V, H, axes=([0, 2], [0, 2]))
    G = np.tensordot(H, H, axes=([0, 2], [0, 2]))
    return B, G, float(np.vdot(V, V))


def _roughness(W, gdiag):
    """``sum_k g_kk ||D w_k||**2``: first differences along the mel axis, weighted by use."""
    if W.shape[0] < 2:
        return W.new_zeros(())
    return (gdiag * (W[1:] - W[:-1]).pow(2).sum(0)).sum()


def objective(W, B, G, vv, smoothness=0.0):
    """The interpreter's objective for ``W`` (tensors in, a 0-d tensor out)."""
    fit = vv - 2.0 * (W * B).sum() + ((W @ G) * W).sum()
    if smoothness:
        fit = fit + smoothness * _roughness(W, torch.diagonal(G))
    return fit / vv


def _inv_softplus(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 20, x, np.log(np.expm1(np.maximum(x, 1e-12))))


class SoftplusBasis(nn.Module):
    """``W = softplus(theta)``, ``theta`` Xavier-uniform initialised.

    Parameters
    ----------
    n_rows, n_cols : int
        Mel bands and channels.
    generator : torch.Generator or None
    """

    def __init__(self, n_rows, n_cols, generator=None):
        super().__init__()
        theta = torch.empty(n_rows, n_cols, dtype=torch.float64)
        nn.init.xavier_uniform_(theta, generator=generator)
        self.theta = nn.Parameter(theta)

    def forward(self):
        return F.softplus(self.theta)


class MelConstrainedBasis(nn.Module):
    """Triangular columns on the mel axis: ``w_k(p) = a_k max(0, 1 - |p - c_k| / b_k)``.

    ``p`` is each row's position on the mel scale, normalised to [0, 1];
    ``c_k = sigmoid(.)`` in (0, 1), ``b_k = softplus(.) + min_width`` and
    ``a_k = softplus(.)`` are learned.

    Parameters
    ----------
    positions : ndarray of shape (n_rows,)
        Normalised mel positions of the rows.
    centres, widths, gains : ndarray of shape (n_cols,)
        Initial centres, half-widths (``>= min_width``) and heights.
    min_width : float
        Smallest half-width (one row spacing keeps every triangle on the grid).
    """

    def __init__(self, positions, centres, widths, gains, min_width):
        super().__init__()
        self.min_width = float(min_width)
        self.register_buffer("positions", torch.as_tensor(positions, dtype=torch.float64))
        c = np.clip(np.asarray(centres, dtype=np.float64), 1e-4, 1 - 1e-4)
        self.centre_raw = nn.Parameter(torch.as_tensor(np.log(c / (1 - c))))
        w = np.maximum(np.asarray(widths, dtype=np.float64) - self.min_width, 1e-6)
        self.width_raw = nn.Parameter(torch.as_tensor(_inv_softplus(w)))
        self.gain_raw = nn.Parameter(torch.as_tensor(_inv_softplus(np.maximum(gains, 1e-8))))

    def centres(self):
        return torch.sigmoid(self.centre_raw)

    def widths(self):
        return F.softplus(self.width_raw) + self.min_width

    def gains(self):
        return F.softplus(self.gain_raw)

    def forward(self):
        dist = (self.positions[:, None] - self.centres()[None, :]).abs()
        return self.gains()[None, :] * F.relu(1.0 - dist / self.widths()[None, :])


def gaussian_filterbank(positions, n_filters):
    """Gaussian filters (peak 1) evenly spaced on [0, 1], standard deviation = spacing.

    Parameters
    ----------
    positions : ndarray of shape (n_rows,)
        Normalised mel positions of the rows.
    n_filters : int

    Returns
    -------
    filterbank : ndarray of shape (n_rows, n_filters)
    """
    centres = np.linspace(0.0, 1.0, n_filters) if n_filters > 1 else np.array([0.5])
    sigma = 1.0 / (n_filters - 1) if n_filters > 1 else 0.5
    return np.exp(-0.5 * ((np.asarray(positions)[:, None] - centres[None, :]) / sigma) ** 2)


class MelGaussianBasis(nn.Module):
    """``W = Phi softplus(theta)``: learned non-negative scalings of fixed Gaussian mel filters.

    Parameters
    ----------
    filterbank : ndarray of shape (n_rows, n_filters)
        ``Phi``, from :func:`gaussian_filterbank`.
    n_cols : int
    generator : torch.Generator or None
    """

    def __init__(self, filterbank, n_cols, generator=None):
        super().__init__()
        self.register_buffer("filterbank", torch.as_tensor(filterbank, dtype=torch.float64))
        theta = torch.empty(self.filterbank.shape[1], n_cols, dtype=torch.float64)
        nn.init.xavier_uniform_(theta, generator=generator)
        self.theta = nn.Parameter(theta)

    def scalings(self):
        return F.softplus(self.theta)

    def forward(self):
        return self.filterbank @ self.scalings()


def nnls_gram(B, G, n_iter=300):
    """Non-negative least squares from the Gram terms (accelerated projected gradient).

    Minimises ``tr(W G W^T) - 2 tr(W^T B)`` over ``W >= 0``; used to initialise the
    triangular basis.

    Parameters
    ----------
    B : ndarray of shape (n_rows, n_cols)
    G : ndarray of shape (n_cols, n_cols)
    n_iter : int

    Returns
    -------
    W : ndarray of shape (n_rows, n_cols)
    """
    B = torch.as_tensor(B, dtype=torch.float64)
    G = torch.as_tensor(G, dtype=torch.float64)
    lip = float(torch.linalg.eigvalsh(G)[-1]) if G.numel() else 0.0
    if lip <= 0:
        return np.zeros(tuple(B.shape))
    W = torch.zeros_like(B)
    Y, t = W, 1.0
    for _ in range(n_iter):
        W_new = (Y - (Y @ G - B) / lip).clamp_min(0.0)
        t_new = (1 + math.sqrt(1 + 4 * t * t)) / 2
        Y = W_new + ((t - 1) / t_new) * (W_new - W)
        W, t = W_new, t_new
    return W.numpy()


def triangle_init(W0, positions, min_width):
    """Centres, half-widths and heights of triangles matching the columns of ``W0``.

    Centre: the row of the column's peak; half-width: the width of the region around
    the peak above half its height (a triangle's width at half height is its
    half-width), plus one row spacing; height: the peak value.
    """
    positions = np.asarray(positions, dtype=np.float64)
    n_rows, n_cols = W0.shape
    centres = np.full(n_cols, 0.5)
    widths = np.full(n_cols, max(0.25, min_width))
    gains = np.full(n_cols, 1e-3)
    for k in range(n_cols):
        w = W0[:, k]
        peak = int(np.argmax(w))
        if w[peak] <= 0:
            continue
        above = w >= 0.5 * w[peak]
        lo = peak
        while lo > 0 and above[lo - 1]:
            lo -= 1
        hi = peak
        while hi < n_rows - 1 and above[hi + 1]:
            hi += 1
        centres[k] = positions[peak]
        widths[k] = positions[hi] - positions[lo] + min_width
        gains[k] = w[peak]
    return centres, widths, gains


def fit_basis(basis, B, G, vv, *, smoothness=0.0, max_iter=200, tol=1e-4, verbose=0):
    """Fit a basis module's parameters by L-BFGS (strong Wolfe line search).

    Parameters
    ----------
    basis : torch.nn.Module
        ``forward()`` returns ``W`` (float64).
    B, G, vv
        From :func:`gram_terms`.
    smoothness, max_iter, tol, verbose
        As in :class:`NMFInterpreter`; iteration stops when the objective changes
        by less than ``tol`` times its value.

    Returns
    -------
    losses : list of float
        The objective at the start and after each iteration.
    n_iter : int
    """
    Bt = torch.as_tensor(B, dtype=torch.float64)
    Gt = torch.as_tensor(G, dtype=torch.float64)
    vv = max(float(vv), np.finfo(np.float64).tiny)
    opt = torch.optim.LBFGS(
        basis.parameters(),
        lr=1.0,
        max_iter=1,
        max_eval=25,
        history_size=20,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-12,
        tolerance_change=1e-15,
    )

    def closure():
        opt.zero_grad()
        loss = objective(basis(), Bt, Gt, vv, smoothness)
        loss.backward()
        return loss

    with torch.no_grad():
        losses = [float(objective(basis(), Bt, Gt, vv, smoothness))]
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        opt.step(closure)
        with torch.no_grad():
            loss = float(objective(basis(), Bt, Gt, vv, smoothness))
        losses.append(loss)
        if verbose and (n_iter % 10 == 0 or n_iter == 1):
            print(f"iteration {n_iter:4d}  objective {loss:.6g}")
        if abs(losses[-2] - loss) <= tol * max(abs(loss), 1e-12):
            break
    return losses, n_iter
