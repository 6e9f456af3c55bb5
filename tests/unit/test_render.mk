test_render_MODS := cli/render common/pbjson common/util
