"""Domain events of the workspaces app."""

from django.utils.translation import gettext_noop

from vinculo.core.events import register_event_type

for _name, _description in [
    ("workspace.created", gettext_noop("A workspace was created with its first owner.")),
    ("workspace.updated", gettext_noop("Workspace settings changed.")),
    ("member.invited", gettext_noop("An email address was invited to join the workspace.")),
    ("member.added", gettext_noop("A user joined the workspace.")),
    ("member.role_changed", gettext_noop("A member's role changed.")),
    ("member.removed", gettext_noop("A member lost access to the workspace.")),
    ("team.created", gettext_noop("A team was created.")),
    ("team.updated", gettext_noop("A team was renamed or changed.")),
    ("team.deleted", gettext_noop("A team was deleted.")),
    ("team.member_added", gettext_noop("A member joined a team.")),
    ("team.member_removed", gettext_noop("A member left a team.")),
    ("token.created", gettext_noop("An API token was created.")),
    ("token.revoked", gettext_noop("An API token was revoked.")),
]:
    register_event_type(_name, _description)
