test_store_checks_MODS := daemon/store daemon/store_ckpt daemon/store_msg daemon/store_checks daemon/store_audit daemon/store_sig common/audit daemon/log common/util
