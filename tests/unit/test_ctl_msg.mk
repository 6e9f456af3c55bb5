test_ctl_msg_LIBS := libdaemon.a libcommon.a
