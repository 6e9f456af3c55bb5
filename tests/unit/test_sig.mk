test_sig_MODS := common/sig common/tls common/util
