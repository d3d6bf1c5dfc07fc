"""Answering on paper (issue 17): a printable questionnaire per round and role, a keyboard
entry screen for HR and an import of a filled-in template."""
