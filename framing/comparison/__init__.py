"""Comparing groups of articles: accumulation, statistics, gates and reports.

One job a module: :mod:`.api` (``compare``, ``compare_passages``: load, classify, orchestrate),
:mod:`.options` (defaults and their checks), :mod:`.accumulate` (per-article counts from one
pass over the passages), :mod:`.analysis` (every table from those counts), :mod:`.stats` and
:mod:`.permutation` (the statistics), :mod:`.terms` (distinctive terms), :mod:`.result`
(``ComparisonResult`` and its JSON), :mod:`.gates` (baseline and CI gates),
:mod:`.assumptions` (what each statistic assumes), :mod:`.charts` and :mod:`.report` (the
report in each format).

Nothing is imported here, so that the CLI can import the light modules (:mod:`.options`,
:mod:`.report`) at start-up without numpy or scipy.
"""
