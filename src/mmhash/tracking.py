"""Optional Weights & Biases logging of fold training: one run per fold, grouped by experiment.

With ``tracking.mode: disabled`` (the default) wandb is not even imported.
``offline`` writes the runs under ``tracking.dir`` for a later ``wandb sync``
and needs neither a network nor a login.
"""

import logging
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


class NullTracker:
    """Tracker that records nothing, used when tracking is disabled."""

    def log_epoch(self, row):
        pass

    def set_summary(self, values):
        pass


class WandbTracker:
    """Send per-epoch rows and the final summary of one fold to a wandb run."""

    def __init__(self, run):
        self.run = run

    def log_epoch(self, row):
        self.run.log({key: value for key, value in row.items() if key not in ("fold", "epoch")}, step=row["epoch"])

    def set_summary(self, values):
        for key, value in values.items():
            self.run.summary[key] = value


@contextmanager
def fold_tracker(settings, experiment, fold, run_config):
    """Yield a tracker for the training of ``fold``.

    Parameters
    ----------
    settings : dict, the ``tracking`` config section (mode, project, entity, dir)
    experiment : str, used as the wandb group
    fold : int, used in the run name and tags
    run_config : dict, stored as the run's config
    """
    if settings["mode"] == "disabled":
        yield NullTracker()
        return

    import wandb

    Path(settings["dir"]).mkdir(parents=True, exist_ok=True)
    run = wandb.init(
        project=settings["project"], entity=settings["entity"], group=experiment, job_type="train_fold",
        name=f"{experiment}-fold{fold}", tags=[f"fold{fold}"], config={"fold": fold, **run_config},
        mode=settings["mode"], dir=settings["dir"],
    )
    log.info("wandb run %s (%s mode) in %s", run.id, settings["mode"], run.dir)
    try:
        yield WandbTracker(run)
    except BaseException:
        run.finish(exit_code=1)
        raise
    run.finish()
