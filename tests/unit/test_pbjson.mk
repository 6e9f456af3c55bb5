test_pbjson_MODS := common/pbjson common/util
