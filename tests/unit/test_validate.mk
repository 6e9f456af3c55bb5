test_validate_MODS := common/validate common/pbjson common/util
