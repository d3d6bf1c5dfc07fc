"""Account and organisation pages, mounted at the site root (full paths here)."""

from django.urls import path

from . import views, views_data

app_name = "organisations"

urlpatterns = [
    path("account/registreren/", views.register, name="register"),
    path("account/registreren/verstuurd/", views.registered, name="registered"),
    path("account/bevestigen/<str:token>/", views.verify, name="verify"),
    path("account/inloggen/", views.LoginView.as_view(), name="login"),
    path("account/uitloggen/", views.LogoutView.as_view(), name="logout"),
    path("account/wachtwoord-vergeten/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/wachtwoord-vergeten/verstuurd/",
        views.PasswordResetSentView.as_view(),
        name="password_reset_sent",
    ),
    path(
        "account/wachtwoord/<uidb64>/<token>/",
        views.PasswordSetView.as_view(),
        name="password_reset_confirm",
    ),
    path("organisatie/", views.dashboard, name="dashboard"),
    path("organisatie/nieuw/", views.create, name="create"),
    path("organisatie/wisselen/", views.switch, name="switch"),
    path("organisatie/vergelijken/", views.benchmark_sharing, name="benchmark_sharing"),
    path("organisatie/team/", views.team, name="team"),
    path("organisatie/team/uitnodigen/", views.invite, name="invite"),
    path("organisatie/uitnodiging/<str:token>/", views.invitation, name="invitation"),
    path("organisatie/api-sleutels/", views.api_tokens, name="api_tokens"),
    path(
        "organisatie/api-sleutels/<int:pk>/intrekken/",
        views.revoke_api_token,
        name="revoke_api_token",
    ),
    path("organisatie/gegevens/", views_data.data, name="data"),
    path("organisatie/gegevens/download.json", views_data.data_json, name="data_json"),
    path("organisatie/gegevens/download.zip", views_data.data_csv, name="data_csv"),
    path("organisatie/gegevens/verwijderen/", views_data.erase, name="erase"),
]
