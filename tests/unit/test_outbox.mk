test_outbox_MODS := daemon/outbox daemon/peer daemon/session daemon/handle daemon/listener daemon/store daemon/log daemon/config common/validate common/pbjson common/util common/frame common/tls
