"""The product's content: the catalogue and the questionnaire, as versioned data files.

`data/catalogue.yaml` (the 48 actions under 9 challenges, faithful to the source text) and
`data/questionnaire.yaml` (sections, items, answer scales) are the source of truth; the
modules here load them, validate them at load and give them types (`catalogue.py`,
`questionnaire.py`). Everything above imports this downward; it imports only `lib`.
"""
