"""The model page's evidence table, built from the model alone (research/evidence.py), so that
the page includes it with the context it already has: {% evidence_uncertainty model as table %}."""

from django import template

from ..evidence import uncertainty_table

register = template.Library()


@register.simple_tag
def evidence_uncertainty(model):
    return uncertainty_table(model)
