test_store_enroll_MODS := daemon/store daemon/store_sql daemon/store_schema daemon/store_tx daemon/store_health daemon/store_ckpt daemon/store_enroll daemon/log common/util
