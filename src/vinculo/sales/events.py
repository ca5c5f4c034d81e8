"""Domain events of the sales app."""

from django.utils.translation import gettext_noop

from vinculo.core.events import register_event_type

for _name, _description in [
    ("pipeline.created", gettext_noop("A pipeline was created with its stages.")),
    (
        "pipeline.updated",
        gettext_noop("A pipeline was renamed, made the default, archived or unarchived."),
    ),
    ("pipeline.deleted", gettext_noop("A pipeline without deals was deleted.")),
    (
        "pipeline.stages_reordered",
        gettext_noop("The stages of a pipeline were put in a new order."),
    ),
    ("stage.created", gettext_noop("A stage was added to a pipeline.")),
    ("stage.updated", gettext_noop("A stage's name, probability, rotting days or kind changed.")),
    (
        "stage.deleted",
        gettext_noop("A stage was deleted (its deals, if any, moved to another stage)."),
    ),
    (
        "deal.created",
        gettext_noop("A deal was created (payload: pipeline, stage, amount, currency, status)."),
    ),
    ("deal.updated", gettext_noop("Fields of a deal changed (payload: changes).")),
    (
        "deal.stage_changed",
        "A deal moved (payload: from_stage, to_stage, pipeline, amount, currency, status).",
    ),
    ("deal.won", gettext_noop("A deal entered a won stage.")),
    ("deal.lost", gettext_noop("A deal entered a lost stage (payload includes lost_reason).")),
    ("deal.deleted", gettext_noop("A deal was moved to the bin.")),
    ("deal.restored", gettext_noop("A deal was restored from the bin.")),
    ("product.created", gettext_noop("A product was added to the catalogue.")),
    ("product.updated", gettext_noop("A product changed.")),
    ("product.archived", gettext_noop("A product was archived.")),
]:
    register_event_type(_name, _description)
