test_outbox_MODS := daemon/outbox
test_outbox_LIBS := libdaemon.a libcommon.a
