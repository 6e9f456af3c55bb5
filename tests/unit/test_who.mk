test_who_MODS := daemon/who common/dirrec common/validate common/util common/sig common/tls common/pbjson
