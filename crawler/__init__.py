"""Arabic news crawler: feeds and sitemaps to a clean, deduplicated corpus."""
import os

# Parallelism comes from the extraction worker processes. The only BLAS call (the paragraph overlap
# product in crawler.dedup) is a small matrix, and OpenBLAS's extra threads spin-wait after it: measured,
# that doubled dedup's CPU and took the core another worker needed. Set before anything imports numpy.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
