test_envsig_MODS := common/envsig common/merkle common/sig common/tls common/util
