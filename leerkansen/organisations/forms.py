"""Forms of the account and organisation pages. Messages say what to do next, in Dutch."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from leerkansen.lib.text import CleanCharField

from .models import Organisation, sector_choices
from .services import normalise_email, user_with_email

EMAIL_MAX_LENGTH = 150  # the username's length: the address is the username


def _email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": _("Fill in your e-mail address."),
            "invalid": _("Fill in an e-mail address like name@organisation.be."),
            "max_length": _("Keep the e-mail address to %(limit_value)d characters at most."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


def _name_field() -> forms.CharField:
    return CleanCharField(
        label=_("Your name"),
        max_length=150,
        error_messages={
            "required": _("Fill in your name."),
            "max_length": _("Keep your name to %(limit_value)d characters at most."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


# Django's own messages, in our voice and with what to do next. (Django 5.2's Dutch catalogue
# also lacks the current "too short" message.)
PASSWORD_MESSAGES = {
    "password_too_short": _("This password is too short. Use at least %(min_length)d characters."),
    "password_too_common": _(
        "Many people use this password. Choose one that is harder to guess, e.g. a short sentence."
    ),
    "password_entirely_numeric": _("This password has only digits. Add letters or words."),
    "password_too_similar": _(
        "This password looks too much like your name or e-mail address. Choose another one."
    ),
}


def check_password(password: str, user) -> None:
    """Django's password validators (12+ characters), with our Dutch messages."""
    try:
        password_validation.validate_password(password, user)
    except forms.ValidationError as error:
        raise forms.ValidationError(
            [
                forms.ValidationError(
                    PASSWORD_MESSAGES.get(item.code, item.message),
                    code=item.code,
                    params=item.params,
                )
                for item in error.error_list
            ]
        ) from error


class PasswordFieldsMixin(forms.Form):
    """A new password, typed twice, checked by the configured validators (12+ characters)."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 12 characters. A sentence of a few words is easy to remember."),
        error_messages={"required": _("Choose a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        error_messages={"required": _("Type your password once more.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def _user_for_validation(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        elif password1:
            try:
                check_password(password1, self._user_for_validation())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class RegistrationForm(PasswordFieldsMixin, forms.Form):
    email = _email_field(help_text=_("You log in with this address. We send a link to confirm it."))
    name = _name_field()

    field_order = ("email", "name", "password1", "password2")

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def _user_for_validation(self):
        email = self.cleaned_data.get("email", "")
        return get_user_model()(
            username=email, email=email, first_name=self.cleaned_data.get("name", "")
        )


class InvitedRegistrationForm(PasswordFieldsMixin, forms.Form):
    """Registration through an invitation: the address is the invited one."""

    name = _name_field()

    field_order = ("name", "password1", "password2")

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def _user_for_validation(self):
        return get_user_model()(
            username=self.email, email=self.email, first_name=self.cleaned_data.get("name", "")
        )


class LoginForm(AuthenticationForm):
    """Log in with e-mail address and password (through django-axes' lock-out)."""

    username = _email_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Fill in your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages: ClassVar[dict[str, str]] = {
        "invalid_login": _(
            "This e-mail address and password do not match an account. Check both and try "
            "again, or ask for a new password."
        ),
        "inactive": _("This account is not active."),
        "unconfirmed": _(
            "You have not confirmed your e-mail address yet. We have sent you a new link: open "
            "it to confirm the address, then log in."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unconfirmed_user = None

    def clean_username(self) -> str:
        return normalise_email(self.cleaned_data["username"])

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                user = self._unconfirmed_user()
                if user is not None:
                    self.unconfirmed_user = user
                    raise forms.ValidationError(
                        self.error_messages["unconfirmed"], code="unconfirmed"
                    ) from error
            raise

    def _unconfirmed_user(self):
        # Only someone who knows the password learns that the account waits for confirmation.
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        user = user_with_email(username) if username else None
        if (
            user is not None
            and not user.is_active
            and user.last_login is None
            and password
            and user.check_password(password)
        ):
            return user
        return None


def _share_benchmark_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Compare with similar organisations"),
        choices=[
            ("nee", _("No, do not share our results")),
            ("ja", _("Yes, share our round results anonymously")),
        ],
        coerce=lambda value: value == "ja",
        empty_value=False,
        initial="nee",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the options.")},
    )


class OrganisationForm(forms.ModelForm):
    sector = forms.ChoiceField(
        label=_("Sector"),
        choices=(),
        error_messages={
            "required": _("Choose the sector your organisation works in most."),
            "invalid_choice": _("Choose one of the sectors in the list."),
        },
    )
    size_band = forms.ChoiceField(
        label=_("Number of employees"),
        choices=Organisation.SizeBand.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how many people work in your organisation."),
            "invalid_choice": _("Choose one of the options."),
        },
    )

    class Meta:
        model = Organisation
        fields = ("name", "sector", "size_band")
        field_classes: ClassVar = {"name": CleanCharField}
        labels: ClassVar = {"name": _("Name of your organisation")}
        error_messages: ClassVar = {
            "name": {
                "required": _("Fill in the name of your organisation."),
                "max_length": _("Keep the name to %(limit_value)d characters at most."),
            }
        }
        widgets: ClassVar = {"name": forms.TextInput(attrs={"autocomplete": "organization"})}

    # Not a model field: the choice is recorded with its date (services.set_benchmark_sharing).
    share_benchmark = _share_benchmark_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("Choose a sector")), *sector_choices()]


class BenchmarkSharingForm(forms.Form):
    """The organisation's choice to share its round results for the comparison."""

    share_benchmark = _share_benchmark_field()


class InvitationForm(forms.Form):
    email = _email_field(help_text=_("Your colleague receives a link to join as admin."))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if self.organisation.memberships.filter(user__username=email).exists():
            raise forms.ValidationError(
                _("This colleague is already an admin of your organisation."), code="member"
            )
        return email


class ApiTokenForm(forms.Form):
    name = CleanCharField(
        label=_("Name of the key"),
        max_length=100,
        help_text=_("Say what the key is for, e.g. “HR system”."),
        error_messages={
            "required": _("Give the key a name, so that you recognise it later."),
            "max_length": _("Keep the name to %(limit_value)d characters at most."),
        },
    )


class SetPasswordEmailForm(PasswordResetForm):
    """ "Forgot your password": also for accounts made without a password (onboarding)."""

    email = _email_field()

    def get_users(self, email):
        return (
            get_user_model()
            ._default_manager.filter(username=normalise_email(email), is_active=True)
            .iterator()
        )


class NewPasswordForm(SetPasswordForm):
    """The form behind a password link: the same checks and messages as registration."""

    def validate_password_for_user(self, user, password_field_name="password2"):  # noqa: S107
        password = self.cleaned_data.get(password_field_name)
        if password:
            try:
                check_password(password, user)
            except forms.ValidationError as error:
                self.add_error(password_field_name, error)
