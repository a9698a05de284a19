"""Reports and documents: one PDF engine, the statistics, the annual review pack."""
