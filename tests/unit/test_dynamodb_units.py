"""DynamoDB's capacity arithmetic as the cost bench applies it (bench/dynamodb_units.py): known item
sizes in, known units out, following "DynamoDB item sizes and formats" and the read/write unit rules."""

import pytest

from bench.dynamodb_units import (
    index_write_units,
    item_size,
    query_read_units,
    read_units,
    write_units,
)


def _text(size: int) -> dict[str, str]:
    return {"S": "x" * size}


def test_given_each_attribute_type_when_sized_then_name_plus_value_as_documented():
    assert item_size({"pk": {"S": "CASE#1"}}) == 2 + 6
    assert item_size({"名": {"S": "陈晓"}}) == 3 + 6  # UTF-8 bytes of name and value
    assert item_size({"n": {"N": "12345"}}) == 1 + 3 + 1  # 5 significant digits → 3 bytes, + 1
    assert item_size({"n": {"N": "-0.0012300"}}) == 1 + 2 + 1  # leading and trailing zeros trimmed: "123"
    assert item_size({"n": {"N": "0"}}) == 1 + 1
    assert item_size({"b": {"B": b"\x00\x01\x02"}}) == 1 + 3  # raw bytes, not base64
    assert item_size({"t": {"BOOL": True}, "z": {"NULL": True}}) == (1 + 1) + (1 + 1)
    assert item_size({"ss": {"SS": ["ab", "c"]}}) == 2 + 3


def test_given_lists_and_maps_when_sized_then_three_bytes_plus_one_per_element():
    assert item_size({"m": {"M": {}}}) == 1 + 3
    assert item_size({"l": {"L": []}}) == 1 + 3
    # {"a": "xy"} inside: name 1 + value 2 + element 1, then the map's 3
    assert item_size({"m": {"M": {"a": {"S": "xy"}}}}) == 1 + 3 + (1 + 2 + 1)
    assert item_size({"l": {"L": [{"S": "xy"}, {"N": "7"}]}}) == 1 + 3 + (2 + 1) + (2 + 1)


@pytest.mark.parametrize(
    ("old", "new", "transactional", "units"),
    [
        (None, 1024, False, 1),  # exactly 1 KB
        (None, 1025, False, 2),  # rounded up per KB
        (3000, 100, False, 3),  # the larger of the old and the new item
        (None, 100, True, 2),  # a transaction bills double
        (2500, None, True, 6),  # a delete: the old item's size
        (None, None, False, 1),  # a write of nothing (a failed condition on a missing item) still costs 1
    ],
)
def test_given_item_sizes_when_written_then_units_per_kilobyte(old, new, transactional, units):
    assert write_units(old, new, transactional=transactional) == units


def test_given_index_entries_when_the_item_is_written_then_index_writes_follow_the_gsi_rules():
    keys = {"pk": {"S": "CASE#1"}, "sk": {"S": "#CASE"}, "gsi1pk": {"S": "QUEUE#A"}, "gsi1sk": {"S": "1"}}
    moved = {**keys, "gsi1pk": {"S": "QUEUE#B"}}
    big = {**keys, "extra": _text(1500)}
    assert index_write_units(None, None, key_names=("gsi1pk", "gsi1sk")) == 0  # never in the index
    assert index_write_units(None, keys, key_names=("gsi1pk", "gsi1sk")) == 1  # put into the index
    assert index_write_units(keys, None, key_names=("gsi1pk", "gsi1sk")) == 1  # deleted from it
    assert index_write_units(keys, dict(keys), key_names=("gsi1pk", "gsi1sk")) == 0  # nothing projected changed
    assert index_write_units(keys, moved, key_names=("gsi1pk", "gsi1sk")) == 2  # delete + put
    assert index_write_units(keys, big, key_names=("gsi1pk", "gsi1sk")) == 2  # projected attributes changed: larger entry


@pytest.mark.parametrize(
    ("size", "consistent", "transactional", "units"),
    [
        (100, False, False, 0.5),  # eventually consistent: half
        (100, True, False, 1),
        (4096, True, False, 1),
        (4097, True, False, 2),  # 4 KB units, rounded up
        (9000, False, False, 1.5),
        (100, True, True, 2),  # transactional: double a strongly consistent read
        (0, False, False, 0.5),  # a miss still costs the minimum
    ],
)
def test_given_an_item_size_when_read_then_four_kilobyte_units(size, consistent, transactional, units):
    assert read_units(size, consistent=consistent, transactional=transactional) == units


def test_given_a_query_page_when_costed_then_the_sum_of_its_items_is_rounded_once():
    assert query_read_units([1000] * 5, consistent=False) == 1  # 5,000 bytes → 2 units, halved
    assert query_read_units([1000] * 5, consistent=True) == 2
    assert query_read_units([], consistent=False) == 0.5  # an empty page still costs the minimum
