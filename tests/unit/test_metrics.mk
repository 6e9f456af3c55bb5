test_metrics_MODS := cli/output_metrics
