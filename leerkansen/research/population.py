"""The research population: which organisations research data comes from.

Real research data (the dashboard, exports, estimates) leaves out the demo organisation and
simulated organisations; a validation run (`simulated=True`) takes only the simulated ones.
Demo organisations never count. The dashboard can show one population at a time, behind an
explicit switch (`population_condition`): real, simulated or demo, never mixed.
"""

from django.db.models import Q


def eligible_organisations(simulated: bool = False, path: str = "organisation") -> Q:
    """The condition on the organisations of the research population.

    `path` leads from the queried model to the organisation ("" for Organisation itself,
    "assessment__organisation" for a report).
    """
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}is_demo": False, f"{prefix}is_simulated": simulated})


REAL, SIMULATED, DEMO = "", "simulatie", "demo"


def population_condition(population: str = REAL, path: str = "organisation") -> Q:
    """The organisations of one population: REAL (neither demo nor simulated), SIMULATED or
    DEMO; never two together."""
    if population == DEMO:
        prefix = f"{path}__" if path else ""
        return Q(**{f"{prefix}is_demo": True})
    if population not in (REAL, SIMULATED):
        raise ValueError(f"unknown population {population!r}")
    return eligible_organisations(simulated=population == SIMULATED, path=path)
