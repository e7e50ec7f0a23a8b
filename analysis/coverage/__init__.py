"""Coverage and white spots: the coverage matrix, the white spots in it, the Venn counts, their cache and figures."""
