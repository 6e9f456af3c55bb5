test_verify_LIBS := libdaemon.a libcommon.a
