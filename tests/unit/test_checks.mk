test_checks_MODS := daemon/checks_rules
