"""The training loop's batching (the rest of ``claimcheck train`` needs torch and half an hour)."""

import random

from bot.training import _cutoffs_corpus, _layers_kept, length_batches


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


def test_the_model_card_keeps_the_training_corpus_when_cutoffs_are_chosen_again():
    trained = {"sha256": "a" * 64, "validation": 10}
    assert _cutoffs_corpus({"corpus": trained}) == ""
    assert _cutoffs_corpus({"corpus": trained, "cutoffs_corpus": dict(trained)}) == ""
    later = _cutoffs_corpus({"corpus": trained, "cutoffs_corpus": {"sha256": "b" * 64, "validation": 10}})
    assert "when they were last chosen" in later and "bbbbbbbbbbbbbbbb" in later
