"""One line of an export: the item's fields as ExpiringView declares them, which
import_line reads back."""

import json
from datetime import datetime

from app.domain.items import ExpiringView, StoredItem


class ExportLine(ExpiringView):
    index: bool = True  # written only when False: the item is kept out of search


def export_line(item: StoredItem, indexed: bool) -> str:
    # expires_at is left out: an import restarts the time to live from ttl_minutes.
    line = ExportLine.of(item, index=indexed).model_dump(
        exclude={"expires_at"} | ({"index"} if indexed else set()))
    return json.dumps(line, ensure_ascii=False, default=datetime.isoformat) + "\n"
