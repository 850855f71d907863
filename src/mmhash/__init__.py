"""Cross-validation of multimodal hashing heads on frozen dual encoders.

The modules contain the logic of each workflow stage, so tests can reach it
directly. The scripts under ``scripts/`` are thin wrappers called by Snakemake.
"""

__version__ = "0.1.0"
