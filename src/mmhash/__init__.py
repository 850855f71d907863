"""Cross-validation of multimodal hashing heads on frozen dual encoders.

The modules hold the logic of each workflow stage so that tests can reach it
directly; the scripts under ``scripts/`` are thin wrappers called by Snakemake.
"""

__version__ = "0.1.0"
