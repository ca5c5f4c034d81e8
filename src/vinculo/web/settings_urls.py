"""URLs of the Settings screens, included under ``settings/`` (names: ``web:settings:…``): the
edge's own (workspace, members, teams, tokens, two-factor, invitations) and the apps' screens
(:mod:`vinculo.contacts.settings_views`, :mod:`vinculo.sales.settings_views`)."""

from django.urls import path

from vinculo.contacts.settings_views import custom_fields, lifecycle, spend, tags
from vinculo.core import settings_pages as shell
from vinculo.sales.settings_views import lost_reasons, pipelines
from vinculo.web import invitation_views, two_factor_views
from vinculo.web.settings import currency_rates, members, teams, tokens, workspace

app_name = "settings"

urlpatterns = [
    path("", shell.index, name="index"),
    path("workspace/", workspace.workspace, name="workspace"),
    path("workspace/two-factor/", two_factor_views.workspace_switch, name="two_factor"),
    path("members/", members.members, name="members"),
    path("members/add/", members.member_add, name="member_add"),
    path("members/<int:membership_id>/role/", members.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", members.member_remove, name="member_remove"),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        invitation_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("teams/", teams.teams, name="teams"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:team_id>/", teams.team_update, name="team_update"),
    path("teams/<int:team_id>/delete/", teams.team_delete, name="team_delete"),
    path("teams/<int:team_id>/members/", teams.team_member_add, name="team_member_add"),
    path(
        "teams/<int:team_id>/members/<int:user_id>/remove/",
        teams.team_member_remove,
        name="team_member_remove",
    ),
    path("tokens/", tokens.tokens, name="tokens"),
    path("tokens/new/", tokens.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("fields/", custom_fields.custom_fields, name="custom_fields"),
    path("fields/new/", custom_fields.custom_field_create, name="custom_field_create"),
    path("fields/<int:field_id>/", custom_fields.custom_field_edit, name="custom_field_edit"),
    path("lifecycle/", lifecycle.lifecycle, name="lifecycle"),
    path("lifecycle/new/", lifecycle.lifecycle_create, name="lifecycle_create"),
    path("lifecycle/order/", lifecycle.lifecycle_reorder, name="lifecycle_reorder"),
    path("lifecycle/<int:stage_id>/", lifecycle.lifecycle_update, name="lifecycle_update"),
    path("pipelines/", pipelines.pipelines, name="pipelines"),
    path("pipelines/new/", pipelines.pipeline_create, name="pipeline_create"),
    path("pipelines/<int:pipeline_id>/", pipelines.pipeline_detail, name="pipeline"),
    path("pipelines/<int:pipeline_id>/stages/new/", pipelines.stage_create, name="stage_create"),
    path("pipelines/<int:pipeline_id>/order/", pipelines.stage_reorder, name="stage_reorder"),
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
    path("stages/<int:stage_id>/", pipelines.stage_update, name="stage_update"),
    path("stages/<int:stage_id>/delete/", pipelines.stage_delete, name="stage_delete"),
    path("spend/", spend.spend, name="spend"),
    path("spend/save/", spend.spend_save, name="spend_save"),
    path("spend/<int:spend_id>/delete/", spend.spend_delete, name="spend_delete"),
    path("currency-rates/", currency_rates.currency_rates, name="currency_rates"),
    path("currency-rates/new/", currency_rates.currency_rate_create, name="currency_rate_create"),
    path(
        "currency-rates/<int:rate_id>/",
        currency_rates.currency_rate_update,
        name="currency_rate_update",
    ),
    path(
        "currency-rates/<int:rate_id>/delete/",
        currency_rates.currency_rate_delete,
        name="currency_rate_delete",
    ),
    path("tags/", tags.tags, name="tags"),
    path("tags/<int:tag_id>/", tags.tag_update, name="tag_update"),
    path("tags/<int:tag_id>/delete/", tags.tag_delete, name="tag_delete"),
]
