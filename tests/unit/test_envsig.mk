test_envsig_MODS := common/envsig common/sig common/tls
