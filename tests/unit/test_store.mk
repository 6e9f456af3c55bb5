test_store_MODS := daemon/store daemon/log common/util
