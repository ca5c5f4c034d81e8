"""Goals that track themselves (docs/goals.md): the arithmetic (:mod:`.rules`), measuring
(:mod:`.measuring`, the daily job in :mod:`.tasks`), the goals' writes (:mod:`.services`) and
reads (:mod:`.selectors`), their words (:mod:`.wording`), the API and the screens."""
