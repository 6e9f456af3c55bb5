test_store_MODS := daemon/store daemon/store_msg daemon/log common/util
