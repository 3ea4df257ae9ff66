"""The twelve pooling methods of [POOL] as differentiable torch layers.

The formulas are those of :func:`skaudio.features.pool2d` (the numba
kernels, documented in :class:`skaudio.features.PoolingTransformer`); tests
check that both give the same numbers. The method names, their parameters and
defaults come from the one table of pooling methods,
:data:`skaudio.features.POOLING_TABLE` (the methods whose ``torch`` field is
true). Here the method parameters can be learned: ``a`` (mixed, auto), ``p`` (lnp), ``r`` (lse),
``n`` (power) and the
attention scoring vector ``v`` (one entry per channel). Constrained
parameters are stored unconstrained and mapped back in ``forward``
(``a = sigmoid(.)`` for mixed, ``p = 1 + softplus(.)``, ``r = softplus(.)``,
``n = softplus(.)``), so gradient steps never leave the valid range.

``lsp``, ``power`` and ``entropy`` are defined only for non-negative values
(the ``nonnegative`` field of the table); as the numba kernels,
the layers refuse negative input with a ``ValueError`` at ``forward`` rather
than return numbers outside the range of the region (``lsp`` of
``[-1, -1, 3]`` would be 11, above the max). Feed them power or magnitude
maps, or activations after a ReLU.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd.function import once_differentiable

from skaudio._deprecation import deprecated_alias, renamed_attribute, renamed_keyword

# one table of methods, defaults and parameter ranges for every home of the formulas
from skaudio._kernels.pooling import check_method_params, pool_output_size
from skaudio._kernels.pooling_table import BY_NAME, NONNEGATIVE_METHODS, TORCH_METHODS
from skaudio._kernels.pooling_table import DEFAULT_PARAMS as _DEFAULTS
from skaudio._validation import freq_time_pair

__all__ = ["POOLING_METHODS", "pool_regions", "Pool2d", "GlobalPool"]

#: The methods of :func:`pool_regions`, :class:`Pool2d` and :class:`GlobalPool`
#: (all twelve of :data:`skaudio.features.POOLING_METHODS`).
POOLING_METHODS = TORCH_METHODS
# each method's own parameters, from the table
_METHOD_PARAMS = {name: tuple(BY_NAME[name].params) for name in TORCH_METHODS if BY_NAME[name].params}
_TINY = 1e-30


def __getattr__(name):
    if name == "POOLING_MODES":  # the old name, kept for one release
        return deprecated_alias("skaudio.nn.pooling.POOLING_MODES", "POOLING_METHODS", POOLING_METHODS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _masked(x, mask, fill):
    return x if mask is None else x.masked_fill(~mask, fill)


def _exporting():
    is_exporting = getattr(torch.compiler, "is_exporting", None)  # torch >= 2.4
    return bool(is_exporting and is_exporting())


def _check_nonnegative(x, method):
    """Refuse negative values for the methods whose formula needs ``x >= 0`` (as the numba path).

    Skipped while torch.export traces the network (ONNX export): a check on the values is a
    Python branch on data, which an exported graph cannot hold, and it made the export of
    every network with such a method fail.
    """
    if _exporting():
        return
    # x.min() < 0 rather than (x < 0).any(): one reduction, no boolean map (0.4 ms against
    # 3.5 ms on (64, 1, 128, 430)); NaN fails both comparisons alike
    if method in NONNEGATIVE_METHODS and x.numel() and bool(x.detach().min() < 0):
        low = float(x.detach().min())
        raise ValueError(
            f"{method} pooling is defined for non-negative input only, got values down to {low:.4g}: "
            f"pool power or magnitude maps (convert to dB afterwards), or activations after a ReLU, "
            f"or choose a method defined for any sign "
            f"({', '.join(m for m in POOLING_METHODS if m not in NONNEGATIVE_METHODS)})."
        )


def pool_regions(
    x: torch.Tensor,
    method: str | None = None,
    mask: torch.Tensor | None = None,
    *,
    a: float | torch.Tensor = 0.5,
    p: float | torch.Tensor = 2.0,
    r: float | torch.Tensor = 1.0,
    n: float | torch.Tensor = 1.0,
    v: float | torch.Tensor = 1.0,
    mode: str | None = None,
) -> torch.Tensor:
    """Pool the last axis of ``x`` (the values of each region) with ``method``.

    Parameters
    ----------
    x : Tensor of shape (..., K)
        Region values along the last axis.
    method : str
        One of :data:`~skaudio.features.POOLING_METHODS`.
    mask : bool Tensor broadcastable to ``x``, optional
        True for real cells; False cells (padding) are ignored. Every region
        needs at least one real cell.
    a, p, r, n, v : float or Tensor broadcastable to ``x.shape[:-1]``
        Method parameters, as in :func:`skaudio.features.pool2d`.
    mode : str, default=None
        Deprecated old name of ``method`` (a ``FutureWarning``; kept for one release).

    Returns
    -------
    Tensor of shape ``x.shape[:-1]``

    Raises
    ------
    ValueError
        For ``lsp``, ``power`` and ``entropy`` when ``x`` has a negative value.

    Examples
    --------
    >>> import torch
    >>> from skaudio.nn.pooling import pool_regions
    >>> pool_regions(torch.tensor([[1.0, 1.0, 2.0, 4.0]]), "lsp")
    tensor([2.7500])
    """

    def col(t):  # parameter broadcast against x (..., K)
        return t.unsqueeze(-1) if torch.is_tensor(t) and t.dim() > 0 else t

    method = renamed_keyword(method, mode, new="method", old="mode", where="pool_regions")
    if method is None:
        raise TypeError("pool_regions() missing required argument: 'method'")
    _check_nonnegative(x, method)
    if mask is not None:
        mask = mask.expand_as(x)
    count = x.shape[-1] if mask is None else mask.sum(-1).to(x.dtype)
    count_col = count.unsqueeze(-1) if torch.is_tensor(count) else count
    xz = _masked(x, mask, 0.0)  # padding contributes nothing to sums
    # Float32 range (as the numba kernels, issue 28): the formulas see u = x / big, big the
    # region's largest |x| (detached: the ratios do not depend on it), so squares, sums and
    # variances neither overflow (from 1.9e19 on for squares, near 3e38 for sums) nor
    # underflow (squares below ~1e-19), and the exponents are formed as a scale times a
    # difference of values in [-1, 1], the scale clamped to 2**100, so no exponent is
    # inf - inf (see "Float32 range" in skaudio/_kernels/pooling.py)
    big = xz.abs().amax(-1, keepdim=True).detach().clamp_min(torch.finfo(x.dtype).tiny)
    u = xz / big
    if method == "average":
        return (xz / count_col).sum(-1)
    if method == "max":
        return _masked(x, mask, -math.inf).amax(-1)
    if method == "min":
        return _masked(x, mask, math.inf).amin(-1)
    if method == "mixed":
        return a * _masked(x, mask, -math.inf).amax(-1) + (1 - a) * (xz / count_col).sum(-1)
    if method == "lsp":
        s = u.sum(-1)
        out = big.squeeze(-1) * ((u * u).sum(-1) / s.clamp_min(_TINY))
        return torch.where(s > 0, out, torch.zeros_like(s))
    if method in ("esp", "auto"):
        scale = 1.0 if method == "esp" else col(a)
        w = torch.softmax(_masked(_clamped(scale * big) * u, mask, -math.inf), dim=-1)
        return (w * xz).sum(-1)
    if method == "lnp":
        ax = xz.abs()
        # scaling by the (detached) largest |x| changes nothing mathematically and keeps
        # |x|**p in range
        big = ax.amax(-1, keepdim=True).detach().clamp_min(_TINY)
        s = ((ax / big) ** col(p)).sum(-1) / count
        pos = s > 0
        out = big.squeeze(-1) * s.clamp_min(_TINY) ** (1.0 / p)
        return torch.where(pos, out, torch.zeros_like(out))
    if method == "lse":
        return _lse(x, u, big, mask, count, r, col)
    if method == "power":
        w = u ** col(n)
        if mask is not None:
            w = w * mask
        num = (w * u).sum(-1)
        den = w.sum(-1)
        ok = xz.amax(-1) > 0
        out = big.squeeze(-1) * (num / torch.where(ok, den, torch.ones_like(den)))
        return torch.where(ok, out, torch.zeros_like(num))
    if method == "entropy":
        s = u.sum(-1, keepdim=True)
        q = u / s.clamp_min(_TINY)
        h = torch.where(q > 0, -q * torch.log(q.clamp_min(_TINY)), torch.zeros_like(q))
        h = _masked(h, mask, -math.inf)
        idx = h.argmax(-1, keepdim=True)
        out = torch.gather(xz, -1, idx).squeeze(-1)
        return torch.where(s.squeeze(-1) > 0, out, torch.zeros_like(out))
    if method == "attention":
        # z-scores of the scaled values u (they do not depend on the units); 1e-6 max|u| = 1e-6
        mean = u.sum(-1, keepdim=True) / count_col
        dev = _masked(u - mean, mask, 0.0)
        var = (dev * dev).sum(-1, keepdim=True) / count_col
        z = dev / (torch.sqrt(var + _TINY) + 1e-6 * u.abs().amax(-1, keepdim=True) + _TINY / big)
        w = torch.softmax(_masked(_clamped(col(v)) * z, mask, -math.inf), dim=-1)
        return (w * xz).sum(-1)
    raise ValueError(f"method must be one of {', '.join(POOLING_METHODS)}; got {method!r}")


class _RegionCells(torch.autograd.Function):
    """The cells of every region stacked as ``R`` of shape (K, B, C, F', T'), ``K = kf * kt``.

    ``R[k]`` holds, for each region, its cell at kernel position ``k`` (row-major), so a
    region formula becomes elementwise ops on ``R`` and ``K - 1`` additions of contiguous
    maps aligned with the output: exact region by region, as :func:`pool_regions`. On CPU
    this beat both ``unfold`` and torch's own pooling (one thread, (64, 1, 128, 430), 2x2
    regions, a loaded machine): ``avg_pool2d`` took 9 ms and its backward 20 ms (a zero
    fill and a scatter), ``max_pool2d`` 22 ms, a reduction over the short last axis of the
    ``unfold`` regions 35 ms and a softmax over it 220 ms, where an addition of two
    contiguous cell maps takes 0.2 ms. The maps are copied once into ``R``: elementwise
    ops on the strided views themselves ran 10 to 30 times slower than on contiguous maps.
    Padding cells are zeros; the caller masks them.
    """

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, out_size):
        (kf, kt), (sf, st), (Fo, To) = kernel, stride, out_size
        B, C = x.shape[:2]
        ctx.geometry = (kernel, stride, pads, out_size, tuple(x.shape))
        if (kf, kt) == (sf, st) and not any(pads):  # tiled: one permuting copy
            cells = x[:, :, : Fo * kf, : To * kt].reshape(B, C, Fo, kf, To, kt).permute(3, 5, 0, 1, 2, 4)
            R = x.new_empty((kf * kt, B, C, Fo, To))  # a fresh map, never a view of x (1x1 regions)
            R.view(kf, kt, B, C, Fo, To).copy_(cells)
            return R
        xp = F.pad(x, pads) if any(pads) else x
        # frames first (kt copies with a strided inner axis), then rows of those (kf * kt
        # copies with a contiguous inner axis): 17 ms against 28 ms for the kf * kt doubly
        # strided copies of 3x3 regions, stride 2, on (64, 1, 128, 430)
        cols = [xp[..., j : j + st * (To - 1) + 1 : st].contiguous() for j in range(kt)]
        R = x.new_empty((kf * kt, B, C, Fo, To))
        for k in range(kf * kt):
            i, j = divmod(k, kt)
            R[k] = cols[j][:, :, i : i + sf * (Fo - 1) + 1 : sf]
        return R

    @staticmethod
    def backward(ctx, g):
        (kf, kt), (sf, st), (pt, right_t, pf, right_f), (Fo, To), shape = ctx.geometry
        B, C = shape[:2]
        if (kf, kt) == (sf, st) and not any((pt, right_t, pf, right_f)):
            gx = g.reshape(kf, kt, B, C, Fo, To).permute(2, 3, 4, 0, 5, 1).reshape(B, C, Fo * kf, To * kt)
            if (Fo * kf, To * kt) != shape[2:]:  # cells of no region (floor mode) get no gradient
                gx = F.pad(gx, (0, shape[3] - To * kt, 0, shape[2] - Fo * kf))
            return gx, None, None, None, None
        Fp, Tp = shape[2] + pf + right_f, shape[3] + pt + right_t
        # the forward's two steps backwards: rows into kt maps of (Fp, To), then frames
        gk = g.reshape(kf, kt, B, C, Fo, To)
        cols = [_scatter_axis([gk[i, j] for i in range(kf)], 2, sf, Fp) for j in range(kt)]
        gp = _scatter_axis(cols, 3, st, Tp)
        return gp[:, :, pf : pf + shape[2], pt : pt + shape[3]], None, None, None, None


def _scatter_axis(parts, dim, s, n_full):
    """Sum the maps ``parts[i]`` into one of ``n_full`` cells along ``dim``, part ``i`` at
    cells ``i, i + s, i + 2 s, ...`` (as many as it has along ``dim``).

    Parts ``i < s`` reach disjoint cells that cover the first ``s * n`` exactly once, so
    they are copied into an uninitialised map and only the other cells are zeroed (a zero
    fill of the whole map and a read-add-write per part cost 2.5 more passes over the map
    for 3x3 regions, stride 2)."""
    n = parts[0].shape[dim]
    shape = list(parts[0].shape)
    shape[dim] = n_full
    out = parts[0].new_empty(shape)
    if len(parts) < s:  # gaps between regions: cells no part reaches
        out.zero_()
    elif n_full > s * n:
        out.narrow(dim, s * n, n_full - s * n).zero_()
    for i, part in enumerate(parts):
        index = [slice(None)] * len(shape)
        index[dim] = slice(i, i + s * (n - 1) + 1, s)
        view = out[tuple(index)]
        if i < s:
            view.copy_(part)
        else:
            view += part
    return out


class _SumCells(torch.autograd.Function):
    """``R.sum(0)`` as ``K - 1`` additions of contiguous maps (0.75 ms against 3 ms for
    ``sum(0)`` on 4 x (64, 1, 64, 215)); the backward is a free ``expand``."""

    @staticmethod
    def forward(ctx, R):
        ctx.shape = R.shape
        out = R[0].clone()
        for k in range(1, R.shape[0]):
            out += R[k]
        return out

    @staticmethod
    def backward(ctx, g):
        return g.unsqueeze(0).expand(ctx.shape)


def _sum(R):
    return _SumCells.apply(R)


def _extreme(R, pick):
    """``pick`` (``torch.maximum`` / ``torch.minimum``) over the cells of each region, in
    place in one output map (no gradient)."""
    with torch.no_grad():
        out = R[0].clone()
        for k in range(1, R.shape[0]):
            pick(out, R[k], out=out)
    return out


def _max(R):
    """Largest cell of each region (no gradient)."""
    return _extreme(R, torch.maximum)


def _min(R):
    """Smallest cell of each region (no gradient)."""
    return _extreme(R, torch.minimum)


def _first_max_onehot(R):
    """1 at the first cell holding the region's largest value (as ``argmax``), 0 elsewhere.

    Built with products rather than ``where`` / ``masked_fill``, which ran 7 ms a map
    against 1 ms for a product on (64, 1, 64, 215)."""
    with torch.no_grad():
        top = _max(R)
        hot = (R == top).to(R.dtype)
        left = torch.ones_like(top)
        for k in range(R.shape[0]):
            hot[k] *= left
            left -= hot[k]
    return hot


def _region_masks(shape, kernel, stride, padding, out_size, x):
    """(K, 1, 1, F', T') float mask, 1 where a region's cell lies on the map; None if all do.

    Whether any cell lies off the map follows from the geometry alone (plain integers, no
    branch on tensor values, which ``torch.export`` cannot trace)."""
    (kf, kt), (sf, st), (pf, pt), (Fo, To) = kernel, stride, padding, out_size
    if not (pf or pt or (Fo - 1) * sf + kf > shape[0] + pf or (To - 1) * st + kt > shape[1] + pt):
        return None
    rows = torch.arange(kf, device=x.device)[:, None] + sf * torch.arange(Fo, device=x.device) - pf
    cols = torch.arange(kt, device=x.device)[:, None] + st * torch.arange(To, device=x.device) - pt
    rows, cols = (rows >= 0) & (rows < shape[0]), (cols >= 0) & (cols < shape[1])
    mask = rows[:, None, :, None] & cols[None, :, None, :]  # (kf, kt, Fo, To)
    return mask.reshape(kf * kt, 1, 1, Fo, To).to(x.dtype)


def _param_grad(param, value):
    """Gradient for a method parameter: None for a plain number or a frozen one, else
    summed to the parameter's shape (one number, or one per channel for ``v``)."""
    if not (torch.is_tensor(param) and param.requires_grad):
        return None
    summed = value.sum() if param.dim() == 0 else value.sum_to_size(param.shape)
    return summed.reshape(param.shape).to(param.dtype)


def _floor_log(log_v):
    """``log v`` with ``log 0 = -inf`` replaced by the dtype's lowest finite number, for the
    backward: ``w * it`` is then 0 where ``w = 0`` (not 0 * inf), and ``exp(q * it)`` is 0**q
    for q > 0 and 1 for q = 0 (the derivative of v**1 at 0). The forward keeps ``-inf``:
    ``exp(q log v)`` is then exactly 0**q = 0 for every q > 0, the smallest too.

    ``exp(q log v)`` replaces ``v ** q`` of a tensor exponent (13 ms a call against 4 ms on
    (64, 1, 128, 430); ``xlogy`` took 66 ms). Its rounding, |q log v| ulps, matters only for
    terms far below the region's largest, which hardly count in its sums."""
    return log_v.clamp_min(torch.finfo(log_v.dtype).min)


def _chain_sum(ts, out=None):
    """``sum_k ts[k]`` over the first axis as ``K - 1`` in-place additions (no autograd)."""
    out = ts[0].clone() if out is None else out.copy_(ts[0])
    for k in range(1, ts.shape[0]):
        out += ts[k]
    return out


def _chain_dot(a, b):
    """``sum_k a[k] * b[k]`` without the (K, ...) product map."""
    out = a[0] * b[0]
    for k in range(1, a.shape[0]):
        out.addcmul_(a[k], b[k])
    return out


# The weighted means lsp, power, lnp, esp and auto as single autograd nodes with their
# closed-form gradients: autograd through their formulas kept every intermediate map of
# (K, B, C, F', T') and spent two to three elementwise passes over it per forward op.
# Their backward uses maps saved from a forward that autograd did not record, so a second
# derivative through them would miss terms: ``once_differentiable`` makes it an error.
class _MixedCells(torch.autograd.Function):
    """mixed = a max + (1 - a) mean; d/dx_k = a [k is the first max] + (1 - a) / N,
    d/da = max - mean."""

    @staticmethod
    def forward(ctx, R, a, count, neg):
        Rn = R if neg is None else R + neg
        top = _max(Rn)
        # each cell divided by the count before the sum, which overflows near 3e38 otherwise
        mean = R[0] / count
        for k in range(1, R.shape[0]):
            mean += R[k] / count if torch.is_tensor(count) else R[k] * (1.0 / count)
        ctx.save_for_backward(Rn, top - mean, a if torch.is_tensor(a) else None)
        ctx.a, ctx.count = a, count
        return a * top + (1 - a) * mean

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        Rn, spread, a_t = ctx.saved_tensors
        a = a_t if a_t is not None else ctx.a
        grad = None
        if ctx.needs_input_grad[0]:
            grad = torch.addcmul(((1 - a) * g / ctx.count).unsqueeze(0), _first_max_onehot(Rn), a * g)
        da = _param_grad(a_t, g * spread) if a_t is not None and ctx.needs_input_grad[1] else None
        return grad, da, None, None


class _LspCells(torch.autograd.Function):
    """lsp = sum x^2 / sum x, with u = x / big: big * sum u^2 / sum u; d/dx_k = (2 u_k - y / big) / sum u."""

    @staticmethod
    def forward(ctx, R):
        big = _max(R).clamp_min(torch.finfo(R.dtype).tiny)  # x >= 0
        u = R / big
        s = _chain_sum(u)
        ok = s > 0
        s1 = torch.where(ok, s, torch.ones_like(s))
        out = big * (_chain_dot(u, u) / s1) * ok
        ctx.save_for_backward(u, out / big, ok / s1)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        u, yb, inv_s = ctx.saved_tensors
        c = g * inv_s
        return torch.addcmul(-(c * yb), u, 2 * c)


class _PowerCells(torch.autograd.Function):
    """power = sum x^(n+1) / sum x^n, with u = x / big, w = u^n: big * sum w u / sum w.

    d/dx_k = ((n + 1) w_k - n (y / big) u_k^(n-1)) / sum w;
    d/dn = big sum w log(u) (u - y / big) / sum w."""

    @staticmethod
    def forward(ctx, R, n):
        top = _max(R)  # x >= 0
        big = top.clamp_min(torch.finfo(R.dtype).tiny)
        u = R / big
        log_u = torch.log(u)
        w = torch.exp(n * log_u)
        den = _chain_sum(w)
        ok = top > 0
        den1 = torch.where(ok, den, torch.ones_like(den))
        out = big * (_chain_dot(w, u) / den1) * ok
        ctx.save_for_backward(u, w, log_u, out / big, ok / den1, big, n if torch.is_tensor(n) else None)
        ctx.n = n
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        u, w, log_u, yb, inv_den, big, n_t = ctx.saved_tensors
        n = n_t if n_t is not None else ctx.n
        log_u = _floor_log(log_u)
        c = g * inv_den
        grad = None
        if ctx.needs_input_grad[0]:
            grad = torch.mul(w, (n + 1) * c).addcmul_(torch.exp((n - 1) * log_u), -(n * yb) * c)
        dn = None
        if n_t is not None and ctx.needs_input_grad[1]:
            dn = _param_grad(n_t, big * c * _chain_dot(w * log_u, u - yb))
        return grad, dn


class _LnpCells(torch.autograd.Function):
    """lnp = (mean |x|^p)^(1/p), with v = |x| / big: big s^(1/p), s = mean v^p.

    d/dx_k = sign(x_k) v_k^(p-1) (y / big) / (s N);
    d/dp = y (mean(v^p log v) / (p s) - log(s) / p^2)."""

    @staticmethod
    def forward(ctx, R, p, count):
        ax = R.abs()
        big = _max(ax).clamp_min(_TINY)
        v = ax / big
        log_v = torch.log(v)
        w = torch.exp(p * log_v)
        s = _chain_sum(w) / count
        ok = s > 0
        sc = s.clamp_min(_TINY)
        yb = sc ** (1.0 / p) * ok  # y / big
        out = big * yb
        ctx.save_for_backward(R, log_v, w, out, yb / sc, sc, ok, p if torch.is_tensor(p) else None)
        ctx.p, ctx.count = p, count
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        R, log_v, w, out, yb_s, sc, ok, p_t = ctx.saved_tensors
        p = p_t if p_t is not None else ctx.p
        log_v = _floor_log(log_v)
        gy = g * out  # zero where s = 0
        grad = None
        if ctx.needs_input_grad[0]:
            # y / (big s) as sc^(1/p - 1), at most 1e30: big s underflows for all-zero regions
            grad = torch.exp((p - 1) * log_v) * R.sign() * (g * yb_s / ctx.count)
        dp = None
        if p_t is not None and ctx.needs_input_grad[1]:
            mean_wlogv = _chain_dot(w, log_v) / ctx.count
            dp = _param_grad(p_t, gy * (mean_wlogv / (p * sc) - torch.log(sc) / p**2) * ok)
        return grad, dp, None


class _SoftmaxCells(torch.autograd.Function):
    """esp / auto: y = sum_k w_k x_k, w = softmax(c u), u = x / big, c = clamp(a big, +-2**100).

    d/dx_k = w_k (1 + c (u_k - y / big)); d/da = big^2 sum w u (u - y / big) where the
    clamp does not bind (0 where it does)."""

    @staticmethod
    def forward(ctx, R, a, neg):
        big = _max(R.abs()).clamp_min(torch.finfo(R.dtype).tiny)
        u = R / big
        raw = a * big
        c = _clamped(raw)
        logits = c * u
        if neg is not None:
            logits = logits + neg
        e = torch.exp(logits - _max(logits))
        inv_S = 1.0 / _chain_sum(e)
        yb = _chain_dot(e, u) * inv_S
        ctx.save_for_backward(u, e, inv_S, yb, big, c, raw, a if torch.is_tensor(a) else None)
        return big * yb

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        u, e, inv_S, yb, big, c, raw, a_t = ctx.saved_tensors
        gw = g * inv_S
        grad = None
        if ctx.needs_input_grad[0]:
            # e gw (1 + c (u - yb)) as e (gw (1 - c yb) + gw c u): two passes over the cells
            gwc = gw * c
            grad = torch.addcmul(gw - gwc * yb, u, gwc).mul_(e)
        da = None
        if a_t is not None and ctx.needs_input_grad[1]:
            free = (raw.abs() <= _CLAMP).to(u.dtype)
            eu = e * u
            # sum_k e_k u_k (u_k - yb) = sum_k e_k u_k^2 - yb sum_k e_k u_k
            da = _param_grad(a_t, gw * big * big * free * (_chain_dot(eu, u) - yb * _chain_sum(eu)))
        return grad, da, None


def _pool_cells(R, mask, method, a, p, r, n, v):
    """:func:`pool_regions` over the stacked region cells ``R`` (K, ...) of
    :class:`_RegionCells`: the same formulas, scalings and float32 guards, term by term.

    ``mask`` (K, 1, 1, F', T') is 1 for real cells and 0 for padding (whose ``R`` is 0),
    or None when every cell is real.
    """
    K = R.shape[0]
    count = K if mask is None else mask.sum(0)
    # -inf at padding, 0 elsewhere: added to logits and maxima instead of masked_fill
    neg = None if mask is None else torch.log(mask)

    def fill_neg(t):
        return t if neg is None else t + neg

    if method == "mixed":
        return _MixedCells.apply(R, a, count, neg)
    if method == "lnp":
        return _LnpCells.apply(R, p, count)
    if method == "lsp":
        return _LspCells.apply(R)
    if method == "power":
        return _PowerCells.apply(R, n)
    if method in ("esp", "auto"):
        return _SoftmaxCells.apply(R, 1.0 if method == "esp" else a, neg)
    if method == "lse":
        return _LseCells.apply(R, r, count, mask, neg)
    if method == "attention":
        return _AttentionCells.apply(R, v, count, mask, neg)
    if method == "entropy":
        # the value of the cell of largest -q log q, q = x / sum x (u = x / big keeps the sum
        # in range): no gradient but to the picked cell
        with torch.no_grad():
            u = R / _max(R).clamp_min(torch.finfo(R.dtype).tiny)  # x >= 0
            s = _chain_sum(u)
            q = u / s.clamp_min(_TINY)
            hot = _first_max_onehot(fill_neg(-q * torch.log(q.clamp_min(_TINY))))  # 0 at q = 0
        out = _sum(R * hot)
        return torch.where(s > 0, out, torch.zeros_like(out))
    raise ValueError(f"method must be one of {', '.join(POOLING_METHODS)}; got {method!r}")


class _AttentionCells(torch.autograd.Function):
    """attention: y = sum_k w_k x_k, w = softmax(c z), z = dev / D, dev = u - mean(u),
    D = sqrt(var + tiny) + 1e-6 max|u| + tiny / big, u = x / big, c = clamp(v, +-2**100).

    Backward by hand (``big`` detached as in :func:`pool_regions`), with A_k = w_k (u_k - y/big)
    times big: dL_k = g A_k; through z = dev / D to dev_k (c g A_k / D) and to D
    (-c g sum_k A_k dev_k / D^2), from D to var and to the first cell of largest |u|; the
    path through the mean is zero (sum_k A_k = 0 and sum_k dev_k = 0 exactly).
    """

    @staticmethod
    def forward(ctx, R, v, count, mask, neg):
        top_abs = _max(R.abs())
        big = top_abs.clamp_min(torch.finfo(R.dtype).tiny)
        u = R / big
        dev = u - _chain_sum(u) / count
        if mask is not None:
            dev *= mask
        var = _chain_dot(dev, dev) / count
        sigma = torch.sqrt(var + _TINY)
        D = sigma + 1e-6 * (top_abs / big) + _TINY / big  # top_abs / big = max |u| exactly
        c = _clamped(v)
        logits = dev * (c / D)
        if neg is not None:
            logits += neg
        e = torch.exp(logits - _max(logits))
        inv_S = 1.0 / _chain_sum(e)
        yb = _chain_dot(e, u) * inv_S
        v_t = v if torch.is_tensor(v) else None
        ctx.save_for_backward(u, dev, e, inv_S, yb, D, sigma, big, v_t)
        ctx.v, ctx.count = v, count
        return big * yb

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        u, dev, e, inv_S, yb, D, sigma, big, v_t = ctx.saved_tensors
        v = v_t if v_t is not None else ctx.v
        c = _clamped(v)
        base = g * big * inv_S
        A = e * (u - yb)  # w_k (u_k - y / big), over the weights' sum
        P = base * _chain_dot(A, dev) / D  # sum_k dL_k z_k
        GD = -c * P / D
        grad = None
        if ctx.needs_input_grad[0]:
            Gdev = torch.addcmul(A * (c * base / D), dev, GD / (sigma * ctx.count))
            grad = e * (g * inv_S)
            grad.addcmul_(Gdev, 1.0 / big)
            # the 1e-6 max|u| term: to the first cell of largest |u|, with u's sign
            grad.addcmul_(_first_max_onehot(u.abs()) * u.sign(), 1e-6 * GD / big)
        dv = None
        if v_t is not None and ctx.needs_input_grad[1]:
            free = (v_t.abs() <= _CLAMP).to(P.dtype)
            dv = _param_grad(v_t, P * free)
        return grad, dv, None, None, None


class _LseCells(torch.autograd.Function):
    """:func:`_lse` over stacked region cells, one autograd node, one transcendental pass.

    ``t = Rc (u - top / big)``, ``Rc = clamp(r big, 2**-60, 2**100)``, ``m = mean expm1(t) /
    Rc``, ``sm = Rc m``; ``y = top + big m log1p(sm) / sm`` (``big m`` at ``sm = 0``) while
    ``sm > -1/2``, else ``top + log1p(sm) / r``. ``_lse`` takes logsumexp(t) - log(count)
    in that second branch; that equals log1p(sm) (mean exp(t) = 1 + mean expm1(t), and the
    region's top adds expm1(0) = 0, so 1 + sm >= 1/K: no cancellation), so a second pass,
    an exp of every cell, is not needed.

    Gradients (``top`` and ``big`` detached, as in ``_lse``), with w_k = exp(t_k) / (N (1 + sm))
    the softmax weights: dy/dx_k = w_k, times Rc / (r big) in the second branch (1 unless
    the clamp binds); dy/dr = (free big sum w d - (free or second branch) log1p(sm) / r) / r,
    free where the clamp does not bind, d = u - top / big.
    """

    @staticmethod
    def forward(ctx, R, r, count, mask, neg):
        top = _max(R if neg is None else R + neg)
        # the largest |x| from the largest and the smallest x: no |x| map (padding adds 0s)
        high = top if neg is None else _max(R)
        big = torch.maximum(high, -_min(R)).clamp_min(torch.finfo(R.dtype).tiny)
        d = (R - top).div_(big)
        if mask is not None:
            d *= mask  # padding cells: d = 0, t = 0, expm1 = 0
        raw = r * big
        Rc = raw.clamp(2.0**-60, _CLAMP)
        em1 = torch.expm1_(d * Rc)
        # the sum of expm1(t) over Rc after the sum: in [-K, 0], it neither overflows nor
        # underflows where the terms would not (each term over Rc first cost a pass)
        m = _chain_sum(em1) / Rc / count
        sm = Rc * m
        safe = torch.where(sm == 0, torch.ones_like(sm), sm)
        ratio = torch.where(sm == 0, torch.ones_like(sm), torch.log1p(safe) / safe)
        far = sm <= -0.5
        log1p_r = torch.log1p(sm) / r
        y = top + torch.where(far, log1p_r, big * m * ratio)
        free = (raw >= 2.0**-60) & (raw <= _CLAMP)
        ctx.save_for_backward(
            em1, d, sm, big, Rc, raw, far, free, log1p_r, mask, r if torch.is_tensor(r) else None
        )
        ctx.count = count
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        em1, d, sm, big, Rc, raw, far, free, log1p_r, mask, r_t = ctx.saved_tensors
        # w_k = (1 + expm1(t_k)) / (N (1 + sm)); padding cells have t = 0, so mask them
        scale = g / (ctx.count * (1 + sm))
        f = torch.where(far, Rc / raw, torch.ones_like(raw))
        grad = None
        if ctx.needs_input_grad[0]:
            c = scale * f
            grad = torch.addcmul(c, em1, c)
            if mask is not None:
                grad = grad * mask
        dr = None
        if r_t is not None and ctx.needs_input_grad[1]:
            wd = (_chain_sum(d) + _chain_dot(em1, d)) / (ctx.count * (1 + sm))  # sum_k w_k d_k
            dr_map = (free * big * wd - (free | far) * log1p_r) / r_t
            dr = _param_grad(r_t, g * dr_map)
        return grad, dr, None, None, None


_CLAMP = 2.0**100


def _clamped(scale):
    """``scale`` clamped to +-2**100: times a value in [-8, 8] it stays finite in float32."""
    if torch.is_tensor(scale):
        return scale.clamp(-_CLAMP, _CLAMP)
    return min(max(float(scale), -_CLAMP), _CLAMP)


def _lse(x, u, big, mask, count, r, col):
    """lse = max + log1p(mean expm1(t)) / r, t = r (x - max) = R (u - max u), R = r big.

    For a small spread (mean exp(t) > 1/2) the expm1/log1p form, with the sums of
    ``expm1(t) / R`` so that R cancels (it underflows for r = 1e-30 on values of 1e-20:
    logsumexp then returned the max, not the small-r limit, the mean); otherwise
    ``logsumexp(t) - log(count)``, exact when the weights spread out. The numba kernels
    use the same series (``_rows_lse``) and expm1/log1p (``_region_lse``).
    """
    top = _masked(x, mask, -math.inf).amax(-1, keepdim=True).detach()
    d = _masked(u - top / big, mask, 0.0)
    R = col(r) * big
    # 2**-60, not smaller: the gradient of expm1(t) / Rc divides by Rc**2 (2**-120 is normal)
    Rc = R.clamp(2.0**-60, _CLAMP)
    t = Rc * d
    e = _masked(torch.expm1(t) / Rc, mask, 0.0)
    count_col = count.unsqueeze(-1) if torch.is_tensor(count) else count
    m = e.sum(-1, keepdim=True) / count_col  # mean expm1(t) / Rc
    sm = Rc * m
    safe = torch.where(sm == 0, torch.ones_like(sm), sm)
    ratio = torch.where(sm == 0, torch.ones_like(sm), torch.log1p(safe) / safe)
    near = big * m * ratio  # log1p(sm) / r (= ratio * sm / r, sm = R m when R is not clamped)
    lse = torch.logsumexp(_masked(t, mask, -math.inf), dim=-1, keepdim=True)
    log_count = torch.log(torch.as_tensor(count_col, dtype=x.dtype, device=x.device))
    far = (lse - log_count) / col(r)
    return (top + torch.where(sm > -0.5, near, far)).squeeze(-1)


def _required_method(method, mode, where):
    method = renamed_keyword(method, mode, new="method", old="mode", where=where, stacklevel=4)
    if method is None:
        raise TypeError(f"{where}() missing required argument: 'method'")
    return method


def _inv_softplus(y):
    y = max(float(y), 1e-6)
    return y + math.log(-math.expm1(-y))


class _PoolParams(nn.Module):
    """Holds the method's parameters, learnable (reparametrised) or fixed."""

    def _init_params(self, method, learnable, channels, values):
        if method not in TORCH_METHODS:
            raise ValueError(f"method must be one of {', '.join(TORCH_METHODS)}; got {method!r}")
        _, *checked = check_method_params(method, **{k: values.get(k) for k in _DEFAULTS})
        if not isinstance(channels, int) or channels < 1:
            raise ValueError(f"channels must be a positive int, got {channels!r}")
        vals = dict(zip(("a", "p", "r", "n", "v"), checked))
        self.method = method
        self.learnable = bool(learnable)
        self.channels = channels
        for name in _METHOD_PARAMS.get(method, ()):
            value = vals[name]
            if self.learnable:
                if method == "mixed":
                    c = min(max(value, 1e-6), 1 - 1e-6)
                    raw = math.log(c / (1 - c))
                elif name == "p":
                    raw = _inv_softplus(value - 1.0)
                elif name in ("r", "n"):
                    raw = _inv_softplus(value)
                else:
                    raw = value
                shape = (channels,) if name == "v" else ()
                setattr(self, f"raw_{name}", nn.Parameter(torch.full(shape, raw)))
            else:
                shape = (channels,) if name == "v" else ()
                self.register_buffer(f"raw_{name}", torch.full(shape, value))

    def _value(self, name):
        raw = getattr(self, f"raw_{name}", None)
        if raw is None:
            return _DEFAULTS[name]
        if not self.learnable:
            return raw
        if self.method == "mixed":
            return torch.sigmoid(raw)
        if name == "p":
            return 1.0 + F.softplus(raw)
        if name in ("r", "n"):
            return F.softplus(raw)
        return raw

    @property
    def a(self):
        """Effective ``a`` (mixed, auto)."""
        return self._value("a")

    @property
    def p(self):
        """Effective ``p`` (lnp)."""
        return self._value("p")

    @property
    def r(self):
        """Effective ``r`` (lse)."""
        return self._value("r")

    @property
    def n(self):
        """Effective ``n`` (power)."""
        return self._value("n")

    @property
    def v(self):
        """Effective attention scoring vector ``v`` (one entry per channel)."""
        return self._value("v")

    def _params(self, v_shape):
        out = {k: self._value(k) for k in ("a", "p", "r", "n")}
        v = self._value("v")
        out["v"] = (
            v.reshape(v_shape)
            if torch.is_tensor(v) and v.numel() > 1
            else (v.reshape(()) if torch.is_tensor(v) else v)
        )
        return out

    mode = renamed_attribute("mode", "method")

    def __setstate__(self, state):
        # layers pickled before the rename store ``mode``
        if "method" not in state and "mode" in state:
            state = dict(state)
            state["method"] = state.pop("mode")
        super().__setstate__(state)

    def extra_repr(self):
        return f"method={self.method!r}, learnable={self.learnable}, channels={self.channels}"


def _pair(x, name):
    # kernel sizes and strides are checked >= 1 by the layer, with its own message
    return freq_time_pair(x, name, minimum=0)


class Pool2d(_PoolParams):
    """Region pooling of ``(batch, channels, n_freqs, n_frames)`` maps with any of the twelve methods.

    Regions, padding (excluded from the formulas) and the output size follow
    :func:`skaudio.features.pool2d` and torch's pooling layers.
    ``average``, ``max`` and ``min`` call torch's own pooling; the others
    stack each region's cells as ``kf * kt`` maps aligned with the output and
    apply the region formulas to those (lsp, power, lnp, esp, auto and mixed
    with closed-form gradients). ``lsp``, ``power`` and ``entropy`` raise a
    ``ValueError`` in ``forward`` on negative input.

    Parameters
    ----------
    method : str
        One of :data:`~skaudio.features.POOLING_METHODS`.
    kernel_size : int or (int, int), default=(2, 2)
        Region size.
    stride : int or (int, int), default=None
        Step between regions (the kernel size when None).
    learnable : bool, default=True
        Make the method's parameters ``nn.Parameter`` s (otherwise fixed buffers).
    padding : int or (int, int), default=0
        Virtual cells on each side, at most half the kernel, ignored by the formulas.
    ceil_mode : bool, default=False
        Keep a last partial region.
    channels : int, default=1
        Length of the attention scoring vector ``v`` (one weight per input
        channel; 1 shares it over all channels).
    a, p, r, n, v : float, optional
        Initial (or fixed) parameter values; defaults 0.5, 2, 1, 1, 1.
    mode : str, optional
        Deprecated old name of ``method`` (a ``FutureWarning``; kept for one release).

    Attributes
    ----------
    method : str
        The pooling method (``mode``, its old name, still reads it with a ``FutureWarning``).

    Examples
    --------
    >>> import torch
    >>> from skaudio.nn import Pool2d
    >>> layer = Pool2d("lse", r=2.0)
    >>> layer(torch.zeros(8, 3, 128, 431)).shape
    torch.Size([8, 3, 64, 215])
    >>> [name for name, _ in layer.named_parameters()]
    ['raw_r']
    """

    def __init__(
        self,
        method: str | None = None,
        kernel_size: int | tuple[int, int] = (2, 2),
        stride: int | tuple[int, int] | None = None,
        learnable: bool = True,
        *,
        padding: int | tuple[int, int] = 0,
        ceil_mode: bool = False,
        channels: int = 1,
        a: float | None = None,
        p: float | None = None,
        r: float | None = None,
        n: float | None = None,
        v: float | None = None,
        mode: str | None = None,
    ) -> None:
        super().__init__()
        method = _required_method(method, mode, "Pool2d")
        self._init_params(method, learnable, channels, dict(a=a, p=p, r=r, n=n, v=v))
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride")
        self.padding = _pair(padding, "padding")
        self.ceil_mode = bool(ceil_mode)
        if min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError("kernel_size and stride must be positive")
        if any(not 0 <= q <= k // 2 for q, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"padding must lie between 0 and half the kernel size, got {self.padding}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pool ``x`` of shape (batch, channels, F, T) (or (batch, F, T)) to (..., F', T')."""
        squeeze = x.dim() == 3
        if squeeze:
            x = x.unsqueeze(1)
        if x.dim() != 4:
            raise ValueError(
                f"Pool2d expects (batch, channels, n_freqs, n_frames), got shape {tuple(x.shape)}"
            )
        Fo, To = pool_output_size(x.shape[2:], self.kernel_size, self.stride, self.padding, self.ceil_mode)
        if Fo < 1 or To < 1:
            raise ValueError(f"kernel_size={self.kernel_size} does not fit in maps of {tuple(x.shape[2:])}")
        if self.method == "average":
            y = F.avg_pool2d(
                x, self.kernel_size, self.stride, self.padding, self.ceil_mode, count_include_pad=False
            )
        elif self.method == "max":
            y = F.max_pool2d(x, self.kernel_size, self.stride, self.padding, ceil_mode=self.ceil_mode)
        elif self.method == "min":
            y = -F.max_pool2d(-x, self.kernel_size, self.stride, self.padding, ceil_mode=self.ceil_mode)
        else:
            y = self._pool_cells(x, Fo, To)
        return y.squeeze(1) if squeeze else y

    def _pool_cells(self, x, Fo, To):
        """The region formulas over the ``kf * kt`` cell maps of :class:`_RegionCells`."""
        _check_nonnegative(x, self.method)
        (kf, kt), (sf, st), (pf, pt) = self.kernel_size, self.stride, self.padding
        right_f = max(0, (Fo - 1) * sf + kf - x.shape[2] - pf)
        right_t = max(0, (To - 1) * st + kt - x.shape[3] - pt)
        pads = (pt, right_t, pf, right_f)
        R = _RegionCells.apply(x, self.kernel_size, self.stride, pads, (Fo, To))
        mask = _region_masks(x.shape[2:], self.kernel_size, self.stride, self.padding, (Fo, To), x)
        return _pool_cells(R, mask, self.method, **self._params((1, -1, 1, 1)))


class GlobalPool(_PoolParams):
    """Pool one whole axis of a tensor (time by default) with any of the twelve methods.

    ``lsp``, ``power`` and ``entropy`` raise a ``ValueError`` in ``forward``
    on negative input, as :func:`skaudio.features.global_pool` does.

    Parameters
    ----------
    method : str
        One of :data:`~skaudio.features.POOLING_METHODS`.
    dim : int, default=-1
        Axis pooled away (e.g. frames of ``(batch, channels, T)``).
    keepdim : bool, default=False
        Keep the pooled axis with length 1.
    learnable : bool, default=True
        Make the method's parameters ``nn.Parameter`` s.
    channels : int, default=1
        Length of the attention scoring vector ``v``.
    channel_dim : int, default=1
        Axis that ``v`` runs along (when ``channels > 1``).
    a, p, r, n, v : float, optional
        Initial (or fixed) parameter values.
    mode : str, optional
        Deprecated old name of ``method`` (a ``FutureWarning``; kept for one release).

    Examples
    --------
    >>> import torch
    >>> from skaudio.nn import GlobalPool
    >>> x = torch.arange(6.0).reshape(1, 2, 3)
    >>> GlobalPool("max")(x)
    tensor([[2., 5.]])
    >>> GlobalPool("attention", channels=2)(x).shape
    torch.Size([1, 2])
    """

    def __init__(
        self,
        method: str | None = None,
        dim: int = -1,
        *,
        keepdim: bool = False,
        learnable: bool = True,
        channels: int = 1,
        channel_dim: int = 1,
        a: float | None = None,
        p: float | None = None,
        r: float | None = None,
        n: float | None = None,
        v: float | None = None,
        mode: str | None = None,
    ) -> None:
        super().__init__()
        method = _required_method(method, mode, "GlobalPool")
        self._init_params(method, learnable, channels, dict(a=a, p=p, r=r, n=n, v=v))
        self.dim = int(dim)
        self.keepdim = bool(keepdim)
        self.channel_dim = int(channel_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pool axis ``dim`` of ``x``."""
        d = self.dim % x.dim()
        moved = x.movedim(d, -1)
        v_shape = None
        if self.method == "attention" and self.channels > 1:
            c = self.channel_dim % x.dim()
            if c == d:
                raise ValueError("channel_dim must differ from the pooled dim")
            c = c - 1 if c > d else c
            v_shape = [1] * (x.dim() - 1)
            v_shape[c] = -1
        y = pool_regions(moved, self.method, None, **self._params(v_shape))
        return y.unsqueeze(d) if self.keepdim else y
