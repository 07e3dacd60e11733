"""The training loop's batching (the rest of ``claimcheck train`` needs torch and half an hour)."""

import random

import numpy as np

from bot.training import _layers_kept, _weights, length_batches, mean_average_precision


def padded_tokens(batches, lengths):
    return sum(max(lengths[i] for i in batch) * len(batch) for batch in batches)


def test_every_item_is_in_exactly_one_batch_of_at_most_the_batch_size():
    lengths = [random.Random(i).randint(5, 200) for i in range(1000)]
    batches = length_batches(lengths, 32, random.Random(7))
    assert sorted(i for batch in batches for i in batch) == list(range(1000))
    assert all(1 <= len(batch) <= 32 for batch in batches)
    assert len(batches) == (1000 + 31) // 32


def test_batches_hold_items_of_about_one_length_so_padding_is_small():
    rng = random.Random(3)
    lengths = [rng.choice((rng.randint(8, 40), rng.randint(60, 220))) for _ in range(3000)]
    order = list(range(3000))
    rng.shuffle(order)
    plain = [order[i : i + 32] for i in range(0, 3000, 32)]
    bucketed = length_batches(lengths, 32, random.Random(1))
    assert padded_tokens(bucketed, lengths) < 0.6 * padded_tokens(plain, lengths)


def test_the_same_seed_gives_the_same_batches_and_another_seed_other_ones():
    lengths = list(range(500))
    assert length_batches(lengths, 16, random.Random(5)) == length_batches(lengths, 16, random.Random(5))
    assert length_batches(lengths, 16, random.Random(5)) != length_batches(lengths, 16, random.Random(6))


def test_the_model_card_says_how_many_layers_were_kept():
    assert _layers_kept({"layers": 6}) == "" and _layers_kept({}) == ""
    assert _layers_kept({"layers": 4}) == ", its lower 4 of 6 encoder layers"


def test_mean_average_precision_ranks_without_a_cutoff():
    labels = np.array([[1, 0], [0, 1], [1, 0], [0, 0]], dtype=bool)
    perfect = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.1, 0.2]])
    assert mean_average_precision(perfect, labels) == 1.0
    # claim 0: positives ranked 1st and 3rd -> (1 + 2/3) / 2; claim 1: ranked 2nd -> 1/2
    mixed = np.array([[0.9, 0.1], [0.2, 0.5], [0.3, 0.3], [0.4, 0.6]])
    assert abs(mean_average_precision(mixed, labels) - ((1 + 2 / 3) / 2 + 0.5) / 2) < 1e-9


def test_the_model_card_says_which_weights_were_exported():
    training = {"weights": "average", "ema_decay": 0.998, "validation_mean_average_precision": {"last": 0.91, "average": 0.92}}
    assert "the average weights" in _weights(training) and "last 0.9100, average 0.9200" in _weights(training)
    assert _weights({}) == ""
