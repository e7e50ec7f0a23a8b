"""Story statistics: variables, compositional summaries, tests, patterns, comparisons, clusters and figures."""
