"""Page-length passages built from the corpus's web items, for evaluation."""

from bot.core.corpus import CorpusItem, Split, joined_passages


def item(number, claims=(), source="https://example.org/a", register="web", **extra):
    return CorpusItem.model_validate(
        {"id": f"w-{number}", "text": f"paragraph {number}.", "claims": list(claims), "source": source,
         "register": register, "split": Split.TEST, **extra}  # fmt: skip
    )


def test_web_items_of_a_source_are_joined_in_order_with_the_union_of_their_claims():
    items = [item(1, ["chronic-pain"]), item(2), item(3, ["harmless", "chronic-pain"]), item(4), item(5, source="https://example.org/b")]
    (passage,) = joined_passages(items)
    assert passage.id == "w-1+w-2+w-3" and passage.text == "paragraph 1.\n\nparagraph 2.\n\nparagraph 3."
    assert passage.claims == ["chronic-pain", "harmless"] and passage.source == "https://example.org/a"


def test_contrast_variants_the_items_they_vary_and_chat_are_left_out():
    items = [
        item(1, ["chronic-pain"]),
        item(2, contrast_of="w-1", edit="negated"),
        item(3, register="chat"),
        item(4),
        item(5),
        item(6),
    ]
    assert [p.id for p in joined_passages(items)] == ["w-4+w-5+w-6"]
