from django.db import models
from django.utils.translation import gettext_lazy as _

from leerkansen.lib.codes import new_code


class Organisation(models.Model):
    """A tenant: every assessment and report belongs to one organisation."""

    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=200)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name
