test_ids_MODS := common/msgid common/threadid common/util common/sha256
