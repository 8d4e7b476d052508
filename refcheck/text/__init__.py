"""Shared language machinery for the detection rules.

``tokens`` splits text into word tokens with offsets; ``freq`` answers how
common a word is (wordfreq data, loaded lazily and once) and proposes
corrections; ``context`` decides which stretches of a reference are not
ordinary English (author names, publishers, transliterated titles, URLs,
identifiers); ``lexicon`` holds curated phrases and the journal-title list.
Nothing here imports wordfreq or rapidfuzz at module import time.
"""
