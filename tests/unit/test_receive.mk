test_receive_LIBS := libdaemon.a libcommon.a
