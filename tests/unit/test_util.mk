test_util_MODS := common/util
