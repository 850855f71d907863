"""Each kind of change reruns exactly the jobs it affects, and leaves the other outputs untouched.

All tests share one workflow folder. Each first completes the workflow, then
makes its change, checks the dry-run plan, runs it, and checks which output
files were rewritten.
"""

import os
import re
import shutil

import pytest
import yaml

from conftest import FAST, REPO, make_workdir, run_snakemake

FOLDS = range(5)
RESULTS = "results/demo"
# Jobs that summarise a run and follow any rerun of the jobs they read.
REPORT_JOBS = {"write_provenance", "collect_benchmarks"}
AFTER_TRAINING = {"aggregate_folds", "evaluate_test"} | REPORT_JOBS

# Output files of each job, relative to the workflow folder.
OUTPUTS = {
    "make_demo_dataset": ["resources/demo_coco/karpathy/dataset_coco.json"],
    "make_tiny_encoder": ["resources/tiny_siglip2/model.safetensors"],
    "index_dataset": [f"{RESULTS}/index/images.parquet", f"{RESULTS}/index/classes.csv"],
    "make_splits": [f"{RESULTS}/splits/folds.csv"],
    "embed_features": [f"{RESULTS}/features/image_features.npy", f"{RESULTS}/features/text_features.npy"],
    **{f"cache_fold_features[{k}]": [f"{RESULTS}/folds/fold_{k}/view.npz"] for k in FOLDS},
    **{f"train_fold[{k}]": [f"{RESULTS}/folds/fold_{k}/model.safetensors", f"{RESULTS}/folds/fold_{k}/history.csv"]
       for k in FOLDS},
    **{f"evaluate_fold[{k}]": [f"{RESULTS}/folds/fold_{k}/metrics.json"] for k in FOLDS},
    "aggregate_folds": [f"{RESULTS}/cv_summary.json", f"{RESULTS}/per_class_ap.csv"],
    "evaluate_test": [f"{RESULTS}/test_metrics.json"],
    "write_provenance": [f"{RESULTS}/provenance.json"],
    "collect_benchmarks": [f"{RESULTS}/benchmarks.csv"],
}


def per_fold(rule, folds=FOLDS):
    return {f"{rule}[{k}]" for k in folds}


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    """A workflow folder with its own copy of the mmhash package, so tests may edit the package source."""
    workdir = tmp_path_factory.mktemp("staleness")
    config = make_workdir(workdir, FAST)
    shutil.copytree(REPO / "src", workdir / "src")
    env = {**os.environ, "PYTHONPATH": str(workdir / "src")}
    run_snakemake(workdir, config, env=env)
    return workdir, config, env


def planned_jobs(workdir, config, env):
    """Jobs of the dry-run plan, as ``rule`` or ``rule[fold]``, without the target rule ``all``."""
    process = run_snakemake(workdir, config, "--dry-run", env=env)
    output = process.stdout + process.stderr
    jobs = set()
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", output):
        match = re.match(r"(?:local)?rule (\w+):", block)
        if not match or match.group(1) == "all":
            continue
        fold = re.search(r"wildcards: fold=(\d+)", block)
        jobs.add(f"{match.group(1)}[{fold.group(1)}]" if fold else match.group(1))
    return jobs


def modification_times(workdir):
    return {job: [os.stat(workdir / path).st_mtime_ns for path in paths] for job, paths in OUTPUTS.items()}


def edit_config(config_path, change):
    config = yaml.safe_load(config_path.read_text())
    change(config)
    config_path.write_text(yaml.safe_dump(config))


def check_change(workflow, change, expected):
    """Complete the workflow, apply ``change``, and check the plan and the rewritten outputs."""
    workdir, config, env = workflow
    run_snakemake(workdir, config, env=env)
    before = modification_times(workdir)
    change(workdir, config)

    assert planned_jobs(workdir, config, env) == expected
    run_snakemake(workdir, config, env=env)
    after = modification_times(workdir)
    rewritten = {job for job in OUTPUTS if before[job] != after[job]}
    assert rewritten == expected & OUTPUTS.keys()
    assert planned_jobs(workdir, config, env) == set()


def test_no_change_reruns_nothing(workflow):
    check_change(workflow, lambda workdir, config: None, set())


def test_deleted_fold_weights_rerun_that_fold(workflow):
    def delete_weights(workdir, config):
        (workdir / RESULTS / "folds/fold_2/model.safetensors").unlink()

    check_change(workflow, delete_weights, {"train_fold[2]", "evaluate_fold[2]"} | AFTER_TRAINING)


def test_training_setting_reruns_all_training(workflow):
    def more_epochs(workdir, config):
        edit_config(config, lambda c: c["train"].update(max_epochs=5))

    check_change(workflow, more_epochs, per_fold("train_fold") | per_fold("evaluate_fold") | AFTER_TRAINING)


def test_fold_override_reruns_one_fold(workflow):
    def new_seed_for_fold_3(workdir, config):
        edit_config(config, lambda c: c.update(fold_overrides=[{"fold": 3, "train": {"seed": 7}}]))

    check_change(workflow, new_seed_for_fold_3, {"train_fold[3]", "evaluate_fold[3]"} | AFTER_TRAINING)


def test_evaluation_setting_skips_training(workflow):
    def other_k(workdir, config):
        edit_config(config, lambda c: c["evaluate"].update(knn_k=5))

    check_change(workflow, other_k, per_fold("evaluate_fold") | AFTER_TRAINING)


def test_aggregation_setting_reruns_aggregation(workflow):
    def more_decimals(workdir, config):
        edit_config(config, lambda c: c["aggregate"].update(decimals=3))

    check_change(workflow, more_decimals, {"aggregate_folds"} | REPORT_JOBS)


def test_encoder_setting_reruns_from_features(workflow):
    def shorter_captions(workdir, config):
        edit_config(config, lambda c: c["encoder"].update(max_text_length=32))

    expected = ({"make_tiny_encoder", "embed_features"} | per_fold("cache_fold_features") | per_fold("train_fold")
                | per_fold("evaluate_fold") | AFTER_TRAINING)
    check_change(workflow, shorter_captions, expected)


def test_split_seed_reruns_from_splits(workflow):
    def other_seed(workdir, config):
        edit_config(config, lambda c: c["splits"].update(seed=7))

    expected = ({"make_splits"} | per_fold("cache_fold_features") | per_fold("train_fold")
                | per_fold("evaluate_fold") | AFTER_TRAINING)
    check_change(workflow, other_seed, expected)


def test_speed_settings_rerun_only_provenance(workflow):
    def faster(workdir, config):
        edit_config(config, lambda c: (c["encoder"].update(batch_size=16, num_workers=1), c.update(threads=1)))

    # The provenance record contains the whole config, so it is rewritten, but no result is.
    check_change(workflow, faster, {"write_provenance"})


def test_model_code_reruns_training(workflow):
    def edit_model(workdir, config):
        with open(workdir / "src/mmhash/model.py", "a", encoding="utf-8") as handle:
            handle.write("\n# an edit to the model code\n")

    check_change(workflow, edit_model, per_fold("train_fold") | per_fold("evaluate_fold") | AFTER_TRAINING)
