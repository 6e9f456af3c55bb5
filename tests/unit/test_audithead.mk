test_audithead_MODS := common/audithead common/audit common/sig common/tls common/timefmt common/validate common/pbjson common/util
