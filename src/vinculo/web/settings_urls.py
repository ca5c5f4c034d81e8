"""URLs of the Settings screens, included under ``settings/`` (names: ``web:settings:…``)."""

from django.urls import path

from vinculo.web import invitation_views, two_factor_views
from vinculo.web import settings_lost_reasons as lost_reasons
from vinculo.web import settings_views as views

app_name = "settings"

urlpatterns = [
    path("", views.index, name="index"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/two-factor/", two_factor_views.workspace_switch, name="two_factor"),
    path("members/", views.members, name="members"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        invitation_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:team_id>/", views.team_update, name="team_update"),
    path("teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path("teams/<int:team_id>/members/", views.team_member_add, name="team_member_add"),
    path(
        "teams/<int:team_id>/members/<int:user_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("fields/", views.custom_fields, name="custom_fields"),
    path("fields/new/", views.custom_field_create, name="custom_field_create"),
    path("fields/<int:field_id>/", views.custom_field_edit, name="custom_field_edit"),
    path("lifecycle/", views.lifecycle, name="lifecycle"),
    path("lifecycle/new/", views.lifecycle_create, name="lifecycle_create"),
    path("lifecycle/order/", views.lifecycle_reorder, name="lifecycle_reorder"),
    path("lifecycle/<int:stage_id>/", views.lifecycle_update, name="lifecycle_update"),
    path("pipelines/", views.pipelines, name="pipelines"),
    path("pipelines/new/", views.pipeline_create, name="pipeline_create"),
    path("pipelines/<int:pipeline_id>/", views.pipeline_detail, name="pipeline"),
    path("pipelines/<int:pipeline_id>/stages/new/", views.stage_create, name="stage_create"),
    path("pipelines/<int:pipeline_id>/order/", views.stage_reorder, name="stage_reorder"),
    path(
        "pipelines/<int:pipeline_id>/lost-reasons/new/",
        lost_reasons.lost_reason_create,
        name="lost_reason_create",
    ),
    path(
        "pipelines/<int:pipeline_id>/lost-reasons/order/",
        lost_reasons.lost_reason_reorder,
        name="lost_reason_reorder",
    ),
    path(
        "lost-reasons/<int:reason_id>/", lost_reasons.lost_reason_update, name="lost_reason_update"
    ),
    path("stages/<int:stage_id>/", views.stage_update, name="stage_update"),
    path("stages/<int:stage_id>/delete/", views.stage_delete, name="stage_delete"),
    path("tags/", views.tags, name="tags"),
    path("tags/<int:tag_id>/", views.tag_update, name="tag_update"),
    path("tags/<int:tag_id>/delete/", views.tag_delete, name="tag_delete"),
]
