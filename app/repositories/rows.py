"""The columns every item query selects; app.domain.items.StoredItem.from_row reads them."""

ITEM_COLUMNS = "s.prefix, s.key, s.value, s.created_at, s.updated_at, s.expires_at, s.ttl_minutes"
