test_timefmt_MODS := common/timefmt common/util
