"""numba kernels and the plain-array functions around them.

Arrays in, arrays out: nothing here knows about scikit-learn or torch.
"""

from skaudio._kernels._cache import ensure_writable_cache

# before any kernel is defined: a read-only install must still import (see _cache)
ensure_writable_cache()
