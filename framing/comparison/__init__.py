"""Comparing groups of articles: accumulation, statistics, gates and reports."""
