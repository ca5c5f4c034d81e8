from django.urls import include, path

from vinculo.web import (
    account_views,
    invitation_views,
    notification_views,
    two_factor_views,
    views,
)

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("pick/<str:kind>/", views.pick, name="pick"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path(
        "account/password/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("account/two-factor/", two_factor_views.setup, name="two_factor_setup"),
    path("login/verify/", two_factor_views.verify, name="two_factor_verify"),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("workspace/switch/", views.switch_workspace, name="switch_workspace"),
    path("language/", views.set_language, name="set_language"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
    path("settings/", include("vinculo.web.settings_urls")),
    path("notifications/", notification_views.notifications_page, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
]
