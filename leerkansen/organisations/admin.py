"""Django admin for staff, with a second factor (TOTP) when settings.ADMIN_REQUIRES_OTP.

The default admin site becomes an `OTPAdminSite` (django-otp) by swapping its class below,
so every app's registrations stay where they are. The setting is read on every request: with
it on (production's default) a staff user without a verified TOTP device is treated as not
staff and sent to the admin login, which then asks for the device's code; with it off (local
development) the admin behaves as Django's own. Staff add a TOTP device under
"TOTP devices" in the admin (or `manage.py addstatictoken` for a first login).
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.sites import AdminSite
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from .models import AdminInvitation, ApiToken, Membership, Organisation, SecurityEvent


class LeerkansenAdminSite(OTPAdminSite):
    site_header = "Leerkansen beheer"
    site_title = "Leerkansen beheer"

    @property
    def login_form(self):
        return (
            OTPAdminAuthenticationForm if settings.ADMIN_REQUIRES_OTP else AdminAuthenticationForm
        )

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.ADMIN_REQUIRES_OTP else None

    def has_permission(self, request) -> bool:
        if settings.ADMIN_REQUIRES_OTP:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)


admin.site.__class__ = LeerkansenAdminSite


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sector", "size_band", "is_demo", "created_at")
    list_filter = ("is_demo", "size_band")
    search_fields = ("name", "code")
    readonly_fields = ("code", "created_at")
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")
    raw_id_fields = ("user", "organisation")


@admin.register(AdminInvitation)
class AdminInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "created_at", "expires_at", "accepted_at")
    search_fields = ("email", "organisation__name")
    raw_id_fields = ("organisation", "invited_by")
    readonly_fields = ("token_hash", "created_at", "accepted_at")

    def has_add_permission(self, request) -> bool:
        # An invitation needs its e-mail with the token: admins invite from the team page.
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "organisation", "created_at", "last_used_on", "revoked_at")
    search_fields = ("name", "prefix", "organisation__name")
    raw_id_fields = ("organisation", "created_by")
    readonly_fields = ("token_hash", "prefix", "created_at", "last_used_on")

    def has_add_permission(self, request) -> bool:
        # A key is shown once at creation: admins create keys on their API-key page.
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "user", "organisation", "detail")
    list_filter = ("kind",)
    date_hierarchy = "created_at"

    # A log is read, never written by hand.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
