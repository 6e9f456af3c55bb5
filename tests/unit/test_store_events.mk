test_store_events_MODS := daemon/store daemon/store_sql daemon/store_schema daemon/store_tx daemon/store_sync daemon/store_health daemon/store_ckpt daemon/store_events daemon/log common/util
