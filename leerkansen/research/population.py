"""The research population: which organisations research data comes from.

Real research data (the dashboard, exports, estimates) leaves out the demo organisation and
simulated organisations; a validation run (`simulated=True`) takes only the simulated ones.
Demo organisations never count.
"""

from django.db.models import Q


def eligible_organisations(simulated: bool = False, path: str = "organisation") -> Q:
    """The condition on the organisations of the research population.

    `path` leads from the queried model to the organisation ("" for Organisation itself,
    "assessment__organisation" for a report).
    """
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}is_demo": False, f"{prefix}is_simulated": simulated})
