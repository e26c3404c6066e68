"""What each statistic of a comparison assumes, in words: shown at the end of every report.

Keyed by statistic; the reports list the values in this order. Standard library only.
"""

ASSUMPTIONS = {
    "share": (
        "share = passages tagged with the frame / passages of the group, pooled over its "
        "articles. A passage can carry several frames, so shares of one group need not sum to 1."),
    "interval": (
        "interval: Wilson score interval on the effective number of passages (passages divided "
        "by the design effect, estimated from how much the share varies between the group's "
        "articles; Kish 1965, Korn & Graubard 1998). Assumes articles are independent of one "
        "another; passages of one article may be correlated. With one article per group, or no "
        "variation between articles, it is the plain Wilson interval, which treats passages as "
        "independent and is then too narrow."),
    "wilson_interval": (
        "wilson_interval: plain Wilson score interval; assumes passages are independent."),
    "bootstrap_interval": (
        "bootstrap_interval: percentile interval from resampling whole articles with "
        "replacement (cluster bootstrap, fixed seed). Assumes articles are independent and "
        "representative; unreliable with few articles and absent with fewer than two. When "
        "every resample gives the same share (a share of 0 or 1 in every article) the "
        "percentile interval would be one point, [0, 0] for a frame never used: the reported "
        "(clustered Wilson) interval is given instead, whose upper bound for 0 of n is about "
        "z² / (n + z²)."),
    "article_interval": (
        "article_share / article_interval: share of the group's articles with at least one "
        "passage tagged, with a Wilson interval; assumes articles are independent."),
    "omnibus_chi_square": (
        "omnibus chi-square (per frame: group x tagged/untagged passages; mix: group x frame "
        "tag counts): Pearson's test without continuity correction. Assumes every passage "
        "(every tag, for the mix) is an independent observation and expected counts of at "
        "least 5; clustering of passages within articles, and of several tags within one "
        "passage, make its p-value too small."),
    "omnibus_permutation": (
        "omnibus permutation test: the same statistic, with its null distribution from "
        "shuffling group labels among whole articles (exactly, over every relabelling, when "
        "there are few). Assumes only that articles are exchangeable between groups if the "
        "groups do not differ; valid for small counts and for clustered passages. It is the "
        "reported p_value when any expected count is below 5; p_value_permutation is always "
        "given. With one article per group it cannot tell groups from articles."),
    "cramers_v": (
        "cramers_v: effect size of the omnibus table, sqrt(chi2 / (n * (min(rows, columns) - "
        "1))), 0 (no association) to 1; descriptive, no independence assumption needed."),
    "pairwise": (
        "pairwise: Fisher's exact test (two-sided) of each frame's share between every pair of "
        "groups; exact for small counts, but assumes passages are independent, so with "
        "clustered passages its p-values are too small. p_holm (family-wise error) and p_bh "
        "(false discovery rate) adjust over all pairwise tests of the report together. "
        "difference_interval is Newcombe's hybrid score interval built from the two shares' "
        "intervals."),
    "divergence": (
        "divergence: Jensen-Shannon divergence (bits, 0 = same mix, 1 = no frame in common) "
        "between two groups' frame mixes, each mix being the group's tag counts over the four "
        "frames normalised to sum to 1; passages with no frame do not enter it. Descriptive; "
        "small groups inflate it."),
    "distinctive_terms": (
        "distinctive_terms: for each frame, words and two-word phrases over-used in one group's "
        "passages with that frame relative to the other groups' passages with that frame: "
        "log-odds ratio with an informative Dirichlet prior from the whole corpus (Monroe, "
        "Colaresi & Quinn 2008) and its z-score. Assumes words are independent draws, which "
        "they are not; read z as a ranking, with |z| >= 1.96 as a rough guide. Stop words "
        "(scikit-learn's English list) and numbers are left out."),
    "quotes": (
        "quotes: the passages of a group with the highest score for a frame among those tagged "
        "with it; they show what the classifier saw, not a random sample."),
    "shift": (
        "shift (with a baseline): change in a group's share of a frame since the baseline "
        "report; outside_interval says whether the baseline share lies outside this report's "
        "interval."),
}
