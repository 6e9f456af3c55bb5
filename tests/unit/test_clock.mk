test_clock_MODS := daemon/clock daemon/log daemon/node common/util
