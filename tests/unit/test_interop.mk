test_interop_MODS := cli/interop cli/interop_misp cli/interop_stix cli/interop_iodef common/pbjson common/util
