"""Metrics against scikit-learn and hand-computed cases; KNN against a brute-force reference."""

import math
import statistics

import numpy as np
import pytest
import torch
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    hamming_loss,
    label_ranking_average_precision_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from mmhash.evaluation import summarise
from mmhash.knn import hamming_distances, knn_label_scores
from mmhash.metrics import MissingPositivesWarning, multilabel_metrics, per_class_average_precision


def random_case(seed, n_samples=200, n_classes=12):
    rng = np.random.default_rng(seed)
    y_true = (rng.random((n_samples, n_classes)) < 0.3).astype(int)
    y_true[0] = 1  # every class has a positive
    y_true[1] = 0  # and a negative
    y_score = np.clip(0.5 * y_true + rng.random((n_samples, n_classes)) * 0.7, 0, 1)
    return y_true, y_score


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_equal_scikit_learn(seed):
    y_true, y_score = random_case(seed)
    y_pred = (y_score >= 0.5).astype(int)
    metrics = multilabel_metrics(y_true, y_score, threshold=0.5)
    expected = {
        "mAP": average_precision_score(y_true, y_score, average="macro"),
        "micro_AP": average_precision_score(y_true, y_score, average="micro"),
        "F1_micro": f1_score(y_true, y_pred, average="micro"),
        "F1_macro": f1_score(y_true, y_pred, average="macro"),
        "precision_macro": precision_score(y_true, y_pred, average="macro"),
        "recall_macro": recall_score(y_true, y_pred, average="macro"),
        "ROC_AUC_macro": roc_auc_score(y_true, y_score, average="macro"),
        "hamming_loss": hamming_loss(y_true, y_pred),
        "LRAP": label_ranking_average_precision_score(y_true, y_score),
    }
    for name, value in expected.items():
        assert metrics[name] == pytest.approx(value, abs=1e-12), name
    assert metrics["excluded_classes"] == 0


def test_average_precision_hand_computed():
    # Scores ranked 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.1 (neg):
    # precision at the two positives is 1/1 and 2/3, so AP = (1 + 2/3) / 2.
    y_true = np.array([[1], [0], [1], [0]])
    y_score = np.array([[0.9], [0.8], [0.7], [0.1]])
    assert multilabel_metrics(y_true, y_score)["mAP"] == pytest.approx(5 / 6)


def test_class_without_positive_is_excluded():
    y_true, y_score = random_case(4, n_classes=6)
    y_true[:, 2] = 0
    with pytest.warns(MissingPositivesWarning, match="1 of 6 classes have no positive"):
        metrics = multilabel_metrics(y_true, y_score)
    classes_with_positive = [0, 1, 3, 4, 5]
    per_class = [average_precision_score(y_true[:, c], y_score[:, c]) for c in classes_with_positive]
    assert metrics["mAP"] == pytest.approx(np.mean(per_class))
    assert metrics["excluded_classes"] == 1
    expected_auc = roc_auc_score(y_true[:, classes_with_positive], y_score[:, classes_with_positive])
    assert metrics["ROC_AUC_macro"] == pytest.approx(expected_auc)
    # scikit-learn's own macro average would count the empty class as AP 0.
    assert metrics["mAP"] > average_precision_score(y_true, y_score, average="macro")
    assert math.isnan(per_class_average_precision(y_true, y_score)[2])


def test_summary_uses_sample_std():
    values = [0.6644, 0.6982, 0.6805, 0.6701, 0.6805]
    summary = summarise(values)
    assert summary["mean"] == pytest.approx(statistics.mean(values))
    assert summary["std"] == pytest.approx(statistics.stdev(values))
    assert summary["median"] == pytest.approx(statistics.median(values))
    assert (summary["min"], summary["max"]) == (min(values), max(values))


def brute_force_knn(query, database, labels, k, temperature):
    n_bits = query.shape[1]
    scores = np.zeros((len(query), labels.shape[1]))
    for q in range(len(query)):
        distances = [(int(np.sum(query[q] != database[d])), d) for d in range(len(database))]
        nearest = sorted(distances)[:k]
        similarity = np.array([1 - 2 * dist / n_bits for dist, _ in nearest])
        weights = np.exp(similarity / temperature)
        weights /= weights.sum()
        scores[q] = sum(w * labels[d] for w, (_, d) in zip(weights, nearest, strict=True))
    return scores


def test_knn_matches_brute_force():
    rng = np.random.default_rng(0)
    # Distinct database codes, so neighbour ranks have no ties.
    database = np.unique(rng.choice([-1.0, 1.0], size=(300, 16)), axis=0)[:120]
    query = rng.choice([-1.0, 1.0], size=(25, 16))
    labels = (rng.random((len(database), 5)) < 0.4).astype(np.float32)
    expected = brute_force_knn(query, database, labels, k=7, temperature=0.07)
    scores = knn_label_scores(torch.tensor(query), torch.tensor(database), torch.tensor(labels), k=7,
                              temperature=0.07, chunk_size=8)
    # Ties in distance may pick different neighbours of equal similarity; compare where ranks are unique.
    distances = hamming_distances(torch.tensor(query), torch.tensor(database)).numpy()
    unique_rank = [np.sort(d)[6] != np.sort(d)[7] for d in distances]
    assert sum(unique_rank) > 5
    np.testing.assert_allclose(scores.numpy()[unique_rank], expected[unique_rank], atol=1e-5)


def test_hamming_distance_of_pm1_codes():
    a = torch.tensor([[1.0, -1.0, 1.0, 1.0]])
    b = torch.tensor([[1.0, 1.0, -1.0, 1.0], [1.0, -1.0, 1.0, 1.0]])
    assert hamming_distances(a, b).tolist() == [[2, 0]]
