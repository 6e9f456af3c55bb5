test_ctl_MODS := daemon/ctl
