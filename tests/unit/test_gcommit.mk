test_gcommit_LIBS := libdaemon.a libcommon.a
