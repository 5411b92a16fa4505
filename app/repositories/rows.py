"""The columns every item query selects: StoredItem's, as app.domain.items.COLUMNS names them."""

from app.domain.items import COLUMNS

ITEM_COLUMNS = ", ".join(f"s.{column}" for column in COLUMNS)
