test_store_idle_MODS := daemon/store daemon/store_sql daemon/store_schema daemon/store_tx daemon/store_health daemon/store_ckpt daemon/store_events daemon/store_idle daemon/log common/util
