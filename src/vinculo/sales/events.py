"""Domain events of the sales app."""

from vinculo.core.events import register_event_type

for _name, _description in [
    ("pipeline.created", "A pipeline was created with its stages."),
    ("pipeline.updated", "A pipeline was renamed, made the default, archived or unarchived."),
    ("pipeline.deleted", "A pipeline without deals was deleted."),
    ("pipeline.stages_reordered", "The stages of a pipeline were put in a new order."),
    ("stage.created", "A stage was added to a pipeline."),
    ("stage.updated", "A stage's name, probability, rotting days or kind changed."),
    ("stage.deleted", "A stage was deleted (its deals, if any, moved to another stage)."),
    ("deal.created", "A deal was created (payload: pipeline, stage, amount, currency, status)."),
    ("deal.updated", "Fields of a deal changed (payload: changes)."),
    (
        "deal.stage_changed",
        "A deal moved (payload: from_stage, to_stage, pipeline, amount, currency, status).",
    ),
    ("deal.won", "A deal entered a won stage."),
    ("deal.lost", "A deal entered a lost stage (payload includes lost_reason)."),
    ("deal.deleted", "A deal was moved to the bin."),
    ("deal.restored", "A deal was restored from the bin."),
    ("product.created", "A product was added to the catalogue."),
    ("product.updated", "A product changed."),
    ("product.archived", "A product was archived."),
]:
    register_event_type(_name, _description)
