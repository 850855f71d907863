"""Rule make_demo_dataset: write the synthetic COCO-format demo dataset."""

from mmhash.demo_data import write_demo_dataset
from mmhash.logs import rule_logging

with rule_logging(snakemake.log[0]):
    write_demo_dataset(snakemake.params.root, n_images=snakemake.params.n_images, seed=snakemake.params.seed)
