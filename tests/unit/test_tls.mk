test_tls_MODS := common/tls common/sig common/util
