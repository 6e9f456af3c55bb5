test_store_MODS := daemon/store daemon/store_sql daemon/store_schema daemon/store_tx daemon/store_ckpt daemon/store_msg daemon/store_audit daemon/store_sig common/audit daemon/log common/util
