"""{% paper_count round %}: the round page's count of questionnaires entered on paper.

The round page is the survey's; it shows this count and links to the paper pages through
this tag, so that the survey's view needs to know nothing of paper.
"""

from django import template

from leerkansen.paper.services import paper_count as count_of

register = template.Library()


@register.simple_tag
def paper_count(assessment) -> int:
    return count_of(assessment)
