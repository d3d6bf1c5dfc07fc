"""The organisation's action plan, under /organisatie/plan/."""

app_name = "plans"

urlpatterns: list = []
