test_metrics_MODS := cli/metrics
