"""Every item model gets its own connection, built from its own schema (its indexes)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.table import Gsi1, TableItem, TableMeta, reset_connections


def test_given_the_base_connected_when_a_model_with_an_index_is_defined_later_then_it_knows_its_index():
    # A model imported on first use (a route's service) after the base item already connected
    # must not inherit the base's connection, whose schema has no index.
    reset_connections()
    TableItem._get_connection()

    class LateItem(TableItem):
        class Meta(TableMeta):
            pass

        gsi1pk = UnicodeAttribute(null=True)
        gsi1sk = UnicodeAttribute(null=True)
        gsi1 = Gsi1()

    meta = LateItem._get_connection().get_meta_table()
    assert meta.get_index_hash_keyname("gsi1") == "gsi1pk"
    reset_connections()
