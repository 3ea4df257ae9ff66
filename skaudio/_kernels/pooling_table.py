"""The one table of the twelve pooling methods of [POOL].

Every other list of pooling methods in skaudio derives from :data:`POOLING_TABLE`:
the method names accepted by the numba kernels, the scikit-learn step and the torch
layers, the methods that need non-negative input, the parameter defaults, the
``PoolingTransformer`` docstring table and the method list of the torch factory
(``skaudio.nn.pool_methods``). ``tests/features/test_pooling_table.py`` checks the
user guide's descriptions against it.

This module imports nothing but the standard library, so every layer (``_kernels``,
``nn``, ``features``, ``metrics``) can read it.
"""

from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["PoolingMethod", "POOLING_TABLE", "POOLING_METHODS", "methods_table_rst"]


@dataclass(frozen=True)
class PoolingMethod:
    """One pooling method: its formula, parameters and where it runs.

    Attributes
    ----------
    name : str
        The value of ``method=`` that selects it.
    formula : str
        The pooled value of a region's ``N`` values ``x_i``, as LaTeX (the text of
        a ``:math:`` role); restated from [POOL] section II-B.
    params : mapping of str to float
        The method's parameters and their defaults (empty when it has none).
    constraint : str
        Valid range of the parameters and of the input, in words ("" when none).
    nonnegative : bool
        Whether the formula is defined only for non-negative values.
    torch : bool
        Whether :class:`skaudio.nn.Pool2d` and :class:`skaudio.nn.GlobalPool` provide it.
    description : str
        One sentence on what the method keeps.
    """

    name: str
    formula: str
    params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    constraint: str = ""
    nonnegative: bool = False
    torch: bool = True
    description: str = ""


def _method(name, formula, params=None, **kw):
    return PoolingMethod(name, formula, MappingProxyType(dict(params or {})), **kw)


#: The twelve methods, in the order of [POOL] section II-B.
POOLING_TABLE = (
    _method(
        "average",
        r"\frac1N\sum_i x_i",
        description="the plain mean (the paper writes the mean of abs(x)); keeps the overall level.",
    ),
    _method("max", r"\max_i x_i", description="the loudest cell; keeps short events and the variance."),
    _method("min", r"\min_i x_i", description="the quietest cell; a background estimate."),
    _method(
        "mixed",
        r"a\max_i x_i + (1-a)\frac1N\sum_i x_i",
        {"a": 0.5},
        constraint="0 <= a <= 1",
        description="a blend of max and average (a = 1: max, a = 0: average).",
    ),
    _method(
        "lsp",
        r"\sum_i x_i^2 / \sum_i x_i",
        constraint="x >= 0",
        nonnegative=True,
        description="linear softmax: each value weighted by itself.",
    ),
    _method(
        "esp",
        r"\sum_i x_i e^{x_i} / \sum_i e^{x_i}",
        description="exponential softmax: weights grow exponentially with the value.",
    ),
    _method(
        "lnp",
        r"\left(\frac1N\sum_i |x_i|^p\right)^{1/p}",
        {"p": 2.0},
        constraint="p >= 1",
        description="learned norm of abs(x) (p = 1: mean of abs(x), large p: max of abs(x)).",
    ),
    _method(
        "lse",
        r"\frac1r \log\left(\frac1N\sum_i e^{r x_i}\right)",
        {"r": 1.0},
        constraint="r > 0",
        description="log-sum-exp, a smooth max (r -> 0: mean, r -> inf: max).",
    ),
    _method(
        "auto",
        r"\sum_i x_i e^{a x_i} / \sum_i e^{a x_i}",
        {"a": 0.5},
        constraint="a real",
        description="auto-pooling (a = 0: mean, a -> +inf: max, a -> -inf: min).",
    ),
    _method(
        "power",
        r"\sum_i x_i^{n+1} / \sum_i x_i^n",
        {"n": 1.0},
        constraint="n >= 0, x >= 0",
        nonnegative=True,
        description="power pooling (n = 0: mean, n = 1: lsp, large n: max).",
    ),
    _method(
        "entropy",
        r"x_k,\ k = \arg\max_k -q_k \log q_k,\ q_k = x_k / \sum_j x_j",
        constraint="x >= 0",
        nonnegative=True,
        description="the cell with the largest self-information term (the first one on ties).",
    ),
    _method(
        "attention",
        r"\sum_i w_i x_i,\ w = \mathrm{softmax}(v z),\ z_i = (x_i - \bar x) / \sigma",
        {"v": 1.0},
        constraint="v real",
        description="softmax weights of the standardised values (v = 0: mean, large v: max).",
    ),
)

#: The method names, in the order of [POOL] section II-B.
POOLING_METHODS = tuple(m.name for m in POOLING_TABLE)
#: Methods whose formula is defined only for non-negative values.
NONNEGATIVE_METHODS = tuple(m.name for m in POOLING_TABLE if m.nonnegative)
#: Methods of the torch layers.
TORCH_METHODS = tuple(m.name for m in POOLING_TABLE if m.torch)


def _defaults():
    out = {}
    for m in POOLING_TABLE:
        for key, value in m.params.items():
            if out.setdefault(key, value) != value:
                raise AssertionError(f"parameter {key} has two defaults in POOLING_TABLE")
    return MappingProxyType(out)


#: The default of every method parameter (``a``: mixed and auto; ``p``: lnp; ``r``: lse;
#: ``n``: power; ``v``: attention).
DEFAULT_PARAMS = _defaults()
#: ``method -> record``.
BY_NAME = MappingProxyType({m.name: m for m in POOLING_TABLE})


def methods_table_rst(indent=""):
    """:data:`POOLING_TABLE` as a reStructuredText simple table (method, formula, parameters).

    Examples
    --------
    >>> from skaudio._kernels.pooling_table import methods_table_rst
    >>> methods_table_rst().splitlines()[1].split()
    ['method', 'output', 'of', 'a', 'region', 'parameters', '(default),', 'range']
    """
    rows = []
    for m in POOLING_TABLE:
        parts = [f"``{k}`` = {v:g}" for k, v in m.params.items()] + ([m.constraint] if m.constraint else [])
        params = "; ".join(parts) or "--"
        rows.append((m.name, f":math:`{m.formula}`", params))
    head = ("method", "output of a region", "parameters (default), range")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(3)]
    rule = "  ".join("=" * w for w in widths)

    def line(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    lines = [rule, line(head), rule, *(line(r) for r in rows), rule]
    return "\n".join(indent + x if x else x for x in lines)
