"""Figures for the report."""

import matplotlib

matplotlib.use("Agg")  # no display on cluster nodes and CI machines
import matplotlib.pyplot as plt  # noqa: E402

from .atomic import atomic_file


def plot_learning_curves(histories, path):
    """Plot training loss and validation mAP per epoch, one line per fold, to a PNG file.

    Parameters
    ----------
    histories : list of DataFrames, the per-epoch history CSV of each fold
    """
    figure, (loss_axis, map_axis) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for history in histories:
        label = f"fold {int(history['fold'].iloc[0])}"
        loss_axis.plot(history["epoch"], history["loss_total"], marker="o", label=label)
        map_axis.plot(history["epoch"], history["val_mAP"], marker="o", label=label)
    loss_axis.set(xlabel="epoch", ylabel="training loss (total)", title="Training loss")
    map_axis.set(xlabel="epoch", ylabel="validation mAP", title="Validation mAP")
    map_axis.legend(loc="lower right", fontsize="small")
    for axis in (loss_axis, map_axis):
        axis.grid(alpha=0.3)
    with atomic_file(path) as tmp:
        figure.savefig(tmp, format="png", dpi=110)
    plt.close(figure)
