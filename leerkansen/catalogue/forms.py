from django import forms
from django.utils.translation import gettext_lazy as _

from leerkansen.content.catalogue import get_catalogue


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    uitdaging = forms.TypedChoiceField(
        label=_("Challenge"), required=False, coerce=int, empty_value=None
    )
    highlight = forms.BooleanField(label=_("Only HIGHLIGHT actions"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["uitdaging"].choices = [("", _("All challenges"))] + [
            (str(challenge.number), f"{challenge.number}. {challenge.title}")
            for challenge in get_catalogue().challenges
        ]
