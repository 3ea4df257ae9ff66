"""numba kernels and the plain-array functions around them.

Arrays in, arrays out: nothing here knows about scikit-learn or torch.
"""
