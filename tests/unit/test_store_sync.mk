test_store_sync_MODS := daemon/store daemon/store_sql daemon/store_schema daemon/store_tx daemon/store_health daemon/store_sync daemon/log common/util
