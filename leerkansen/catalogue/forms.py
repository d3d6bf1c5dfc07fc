from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leerkansen.content.catalogue import Catalogue, get_catalogue


def highlight_count(catalogue: Catalogue) -> int:
    """How many actions of the catalogue carry the HIGHLIGHT label."""
    return sum(1 for action in catalogue.actions() if action.highlight)


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    uitdaging = forms.TypedChoiceField(
        label=_("Challenge"), required=False, coerce=int, empty_value=None
    )
    highlight = forms.BooleanField(label=_("Only HIGHLIGHT actions"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue = get_catalogue()
        # The label says how many actions the filter keeps.
        self.fields["highlight"].label = gettext(
            "Only HIGHLIGHT actions (%(count)s of %(total)s)"
        ) % {"count": highlight_count(catalogue), "total": len(list(catalogue.actions()))}
        self.fields["uitdaging"].choices = [("", _("All challenges"))] + [
            (str(challenge.number), f"{challenge.number}. {challenge.title}")
            for challenge in catalogue.challenges
        ]
