test_merkle_MODS := common/merkle
