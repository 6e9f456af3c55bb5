test_inifile_MODS := common/inifile
