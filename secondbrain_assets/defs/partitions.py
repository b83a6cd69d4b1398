"""One dynamic partition per Notion export; the sensor adds them."""

import dagster as dg

notion_exports = dg.DynamicPartitionsDefinition(name="notion_exports")
