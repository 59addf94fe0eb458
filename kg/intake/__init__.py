"""Article intake: from a news article to candidate facts for a curator (docs/intake.md).

Modules, one concern each: read (HTML/text/URL), normalise (Persian spelling variants with offsets),
dates (Jalali, Gregorian, weekday-relative), names (the graph's gazetteer), mentions (names in a
text, unknown places), candidates and figures (the rules), cues (the curator's dictionaries in
cues/*.toml), draft (Turtle), pipeline (the whole run), review (what of a draft is data), score
(measurement against data/seed-articles).
"""
