"""Domain events of the workspaces app."""

from vinculo.core.events import register_event_type

for _name, _description in [
    ("workspace.created", "A workspace was created with its first owner."),
    ("workspace.updated", "Workspace settings changed."),
    ("member.invited", "An email address was invited to join the workspace."),
    ("member.added", "A user joined the workspace."),
    ("member.role_changed", "A member's role changed."),
    ("member.removed", "A member lost access to the workspace."),
    ("team.created", "A team was created."),
    ("team.updated", "A team was renamed or changed."),
    ("team.deleted", "A team was deleted."),
    ("team.member_added", "A member joined a team."),
    ("team.member_removed", "A member left a team."),
    ("token.created", "An API token was created."),
    ("token.revoked", "An API token was revoked."),
]:
    register_event_type(_name, _description)
