test_frame_MODS := common/frame
