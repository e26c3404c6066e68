"""Classification runs: tag passages in this process, on all cores, or on a Dask cluster."""
