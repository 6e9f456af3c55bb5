test_dirfmt_MODS := cli/dirfmt common/dirrec common/validate common/util common/sig common/tls common/pbjson
