test_interop_MODS := cli/interop cli/interop_misp cli/interop_stix cli/interop_iodef cli/interop_rfc2350 cli/dirfmt common/dirrec common/validate common/util common/sig common/tls common/pbjson
