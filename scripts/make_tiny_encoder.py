"""Rule make_tiny_encoder: save a tiny random SigLIP 2 as a local Hugging Face model folder."""

from mmhash.logs import rule_logging
from mmhash.tiny_encoder import write_tiny_encoder

with rule_logging(snakemake.log[0]):
    write_tiny_encoder(snakemake.output.model, **snakemake.params.settings)
