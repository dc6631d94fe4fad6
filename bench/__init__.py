"""``make bench``: Debrief's speed and Atlassian cost, measured as ratios in one run (see __main__)."""
