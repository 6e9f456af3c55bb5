test_certder_LIBS := libdaemon.a libcommon.a
