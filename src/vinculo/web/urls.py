from django.urls import include, path

from vinculo.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("pick/<str:kind>/", views.pick, name="pick"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("workspace/switch/", views.switch_workspace, name="switch_workspace"),
    path("language/", views.set_language, name="set_language"),
    path("settings/", include("vinculo.web.settings_urls")),
]
