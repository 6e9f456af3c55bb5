test_i18n_MODS := cli/render cli/vocab cli/term cli/i18n common/pbjson common/util
