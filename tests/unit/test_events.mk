test_events_LIBS := libdaemon.a libcommon.a
