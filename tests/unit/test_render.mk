test_render_MODS := cli/render cli/term common/pbjson common/util
