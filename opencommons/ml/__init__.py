"""The commons for people who train models: Croissant metadata, verified downloads, loading into
`datasets` and pandas, an fsspec filesystem that verifies what it reads, models that credit data."""
