"""Per-pipeline lost reasons: the old free-text ``lost_reason`` becomes ``lost_note``, every
pipeline gets the default reasons, and each lost deal's text is matched to one of them (else
"other", the text kept as the note). Reversible: going back writes the note, or the reason's
label when there is no note, into the free-text field again."""

import unicodedata

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CODES = ["price", "competitor", "no_budget", "timing", "no_fit", "other"]
# Words (folded, without accents) that put a free-text reason under a default, checked in this
# order: "sem orçamento" is a budget, "preço acima do orçamento" a price.
KEYWORDS = [
    ("competitor", ("concorren", "competitor", "competi", "outro fornecedor")),
    ("price", ("preco", "price", "caro", "expensive", "valor", "cost")),
    ("no_budget", ("orcamento", "budget", "verba", "sem dinheiro")),
    (
        "timing",
        ("resposta", "respond", "response", "timing", "adiad", "postpone", "prazo", "momento",
         "ghost", "silence", "later"),
    ),
    ("no_fit", ("perfil", "fit", "funcionalidade", "feature", "requisit", "encaixa")),
]
# The labels a reverse migration writes for an unrenamed default, by workspace language.
LABELS = {
    "pt": {
        "price": "Preço", "competitor": "Escolheu um concorrente", "no_budget": "Sem orçamento",
        "timing": "Sem resposta / momento", "no_fit": "Fora do perfil", "other": "Outro",
    },
    "en": {
        "price": "Price", "competitor": "Chose a competitor", "no_budget": "No budget",
        "timing": "No response / timing", "no_fit": "Not a fit", "other": "Other",
    },
}  # fmt: skip


def fold(text):
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def code_for(text):
    folded = fold(text)
    for code, words in KEYWORDS:
        if any(word in folded for word in words):
            return code
    return "other"


def forwards(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    LostReason = apps.get_model("sales", "LostReason")
    Deal = apps.get_model("sales", "Deal")
    for pipeline in Pipeline.objects.all().iterator():
        LostReason.objects.bulk_create(
            [
                LostReason(
                    workspace_id=pipeline.workspace_id,
                    pipeline_id=pipeline.pk,
                    code=code,
                    position=position,
                )
                for position, code in enumerate(CODES)
            ]
        )
    reasons = {(r.pipeline_id, r.code): r.pk for r in LostReason.objects.all()}
    deals = Deal.objects.filter(status="lost").exclude(lost_note="").only("pipeline", "lost_note")
    batch = []
    for deal in deals.iterator():
        code = code_for(deal.lost_note)
        deal.lost_reason_id = reasons[(deal.pipeline_id, code)]
        batch.append(deal)
        if len(batch) >= 1000:
            Deal.objects.bulk_update(batch, ["lost_reason"])
            batch = []
    Deal.objects.bulk_update(batch, ["lost_reason"])


def backwards(apps, schema_editor):
    Deal = apps.get_model("sales", "Deal")
    deals = Deal.objects.filter(lost_reason__isnull=False, lost_note="").select_related(
        "lost_reason", "workspace"
    )
    batch = []
    for deal in deals.iterator():
        reason = deal.lost_reason
        language = "pt" if (deal.workspace.locale or "pt").lower().startswith("pt") else "en"
        deal.lost_note = (reason.label or LABELS[language].get(reason.code, ""))[:200]
        batch.append(deal)
    Deal.objects.bulk_update(batch, ["lost_note"], batch_size=1000)
    Deal.objects.update(lost_reason=None)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_board_indexes"),
        ("workspaces", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The free text stays, as the note to the listed reason.
        migrations.RenameField(model_name="deal", old_name="lost_reason", new_name="lost_note"),
        migrations.AlterField(
            model_name="deal",
            name="lost_note",
            field=models.CharField(blank=True, max_length=200, verbose_name="lost note"),
        ),
        migrations.CreateModel(
            name="LostReason",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("code", models.CharField(blank=True, choices=[("price", "Price"), ("competitor", "Chose a competitor"), ("no_budget", "No budget"), ("timing", "No response / timing"), ("no_fit", "Not a fit"), ("other", "Other (say why)")], max_length=20)),
                ("label", models.CharField(blank=True, max_length=100, verbose_name="label")),
                ("position", models.PositiveIntegerField(default=0)),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("pipeline", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="lost_reasons", to="sales.pipeline")),
                ("workspace", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="workspaces.workspace")),
            ],
            options={"ordering": ["pipeline", "position", "id"]},
        ),
        migrations.AddConstraint(
            model_name="lostreason",
            constraint=models.UniqueConstraint(models.F("pipeline"), models.F("code"), condition=models.Q(("code", ""), _negated=True), name="uniq_lost_reason_code"),
        ),
        migrations.AddField(
            model_name="deal",
            name="lost_reason",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="deals", to="sales.lostreason"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
