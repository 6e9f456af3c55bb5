test_render_MODS := cli/render cli/vocab cli/term common/pbjson common/util
