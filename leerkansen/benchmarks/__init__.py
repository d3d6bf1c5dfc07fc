"""Comparison with similar organisations (issue 17): opted-in organisations' round results,
aggregated per challenge and comparison group into dated, versioned benchmark tables."""
