# Inputs: the dataset index, plus the demo dataset and tiny encoder when the config generates them.

DEMO_FILES = {
    "instances": ["annotations/instances_train2014.json", "annotations/instances_val2014.json"],
    "captions": ["annotations/captions_train2014.json", "annotations/captions_val2014.json"],
    "karpathy": "karpathy/dataset_coco.json",
}


if config["dataset"]["generate_demo"]:

    rule make_demo_dataset:
        """Write the synthetic COCO-format demo dataset."""
        output:
            images=directory(os.path.join(config["dataset"]["root"], "images")),
            instances=[os.path.join(config["dataset"]["root"], p) for p in DEMO_FILES["instances"]],
            captions=[os.path.join(config["dataset"]["root"], p) for p in DEMO_FILES["captions"]],
            karpathy=os.path.join(config["dataset"]["root"], DEMO_FILES["karpathy"]),
        params:
            root=lambda wildcards, output: os.path.dirname(output.images),
            n_images=config["dataset"]["demo_images"],
            seed=config["dataset"]["demo_seed"],
            code=CODE["demo"],
        log:
            "logs/make_demo_dataset.log",
        benchmark:
            "logs/benchmarks/make_demo_dataset.tsv"
        conda:
            ENV
        script:
            "../../scripts/make_demo_dataset.py"


if config["encoder"]["generate_tiny"]:

    rule make_tiny_encoder:
        """Save a tiny randomly initialised SigLIP 2 as a local Hugging Face model folder."""
        output:
            model=directory(config["encoder"]["name_or_path"]),
        params:
            settings={
                **config["encoder"]["tiny"],
                "max_num_patches": config["encoder"]["max_num_patches"],
                "max_text_length": config["encoder"]["max_text_length"],
            },
            code=CODE["tiny_encoder"],
        log:
            "logs/make_tiny_encoder.log",
        benchmark:
            "logs/benchmarks/make_tiny_encoder.tsv"
        conda:
            ENV
        script:
            "../../scripts/make_tiny_encoder.py"


rule index_dataset:
    """COCO instances, captions and the Karpathy split into one index table."""
    input:
        unpack(get_dataset_inputs),
    output:
        index=f"{RESULTS}/index/images.parquet",
        classes=f"{RESULTS}/index/classes.csv",
        skipped=report(
            f"{RESULTS}/index/skipped_images.csv",
            caption="../report/skipped_images.rst",
            category="Dataset",
        ),
        summary=report(
            f"{RESULTS}/index/dataset_summary.csv",
            caption="../report/dataset_summary.rst",
            category="Dataset",
        ),
    params:
        image_root=dataset_path("image_dir"),
        policy=dataset_policy(),
        code=CODE["index"],
    threads: config["threads"]
    log:
        f"{LOGS}/index_dataset.log",
    benchmark:
        f"{BENCHMARKS}/index_dataset.tsv"
    conda:
        ENV
    script:
        "../../scripts/index_dataset.py"
