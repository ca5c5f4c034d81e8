"""Every workspace has the default glossary (lead, MQL, SQL, customer, churn, CLV, CAC, NPS…):
it is made with the workspace now (``strategy.glossary_services.make_default_glossary``), so the
workspaces made before get it here, in their language, as that service would have made it. The
terms are copied as they stand today (a migration must not follow later changes to the
services). A term already there (by its folded spelling) is kept. Going back leaves them.
"""

import unicodedata

from django.db import migrations

# (English term, English definition, pt-BR term, pt-BR definition, stage key, KPI key)
TERMS = [
    ("Subscriber",
     "Someone who follows the newsletter or the blog and has not yet shown an interest in "
     "buying.",
     "Assinante",
     "Pessoa que acompanha a newsletter ou o blog e ainda não demonstrou interesse de compra.",
     "subscriber", ""),
    ("Lead",
     "Someone who left their details in exchange for something (content, an event, a quote) "
     "and can be worked by marketing.",
     "Lead",
     "Pessoa que deixou seus dados em troca de algo (um material, um evento, um orçamento) e "
     "pode ser trabalhada pelo marketing.",
     "lead", "new_leads"),
    ("MQL",
     "Marketing-qualified lead: a lead whose profile and engagement show potential, ready to "
     "be handed to sales.",
     "MQL",
     "Lead qualificado pelo marketing: perfil e engajamento indicam potencial; pronto para ser "
     "passado a vendas.",
     "mql", ""),
    ("SQL",
     "Sales-qualified lead: a lead sales accepted to approach directly.",
     "SQL",
     "Lead qualificado para vendas: lead que vendas aceitou abordar diretamente.",
     "sql", ""),
    ("Opportunity",
     "There is an open deal with this person or company.",
     "Oportunidade",
     "Há um negócio aberto com esta pessoa ou empresa.",
     "opportunity", ""),
    ("Customer",
     "Bought at least once.",
     "Cliente",
     "Comprou ao menos uma vez.",
     "customer", "new_customers"),
    ("Advocate",
     "A customer who recommends the brand and speaks up for it.",
     "Promotor",
     "Cliente que indica a marca e a defende.",
     "advocate", "referrals"),
    ("Churn",
     "Customers lost over a period: those who stopped buying or cancelled, as a share of the "
     "customers at its start.",
     "Churn",
     "Clientes perdidos em um período: os que pararam de comprar ou cancelaram, em proporção "
     "aos clientes do início do período.",
     "", "churn_rate"),
    ("CLV",
     "Customer lifetime value: what a customer is expected to bring in over the whole "
     "relationship.",
     "CLV",
     "Valor do tempo de vida do cliente: quanto se espera que um cliente traga durante todo o "
     "relacionamento.",
     "", "average_clv"),
    ("CAC",
     "Customer acquisition cost: what marketing and sales spent divided by the new customers "
     "they won.",
     "CAC",
     "Custo de aquisição de clientes: o que marketing e vendas gastaram dividido pelos clientes "
     "novos que conquistaram.",
     "", "cac"),
    ("NPS",
     "Net Promoter Score: the share of promoters (9 or 10 out of 10) minus the share of "
     "detractors (0 to 6) when customers are asked whether they would recommend you.",
     "NPS",
     "Net Promoter Score: a proporção de promotores (notas 9 ou 10) menos a de detratores "
     "(notas de 0 a 6) quando os clientes dizem se recomendariam a empresa.",
     "", ""),
    ("Win rate",
     "Deals won as a share of the deals closed (won or lost).",
     "Taxa de ganho",
     "Negócios ganhos em proporção aos negócios fechados (ganhos ou perdidos).",
     "", "win_rate"),
    ("Sales cycle",
     "How long a deal takes from being opened to being won.",
     "Ciclo de vendas",
     "Quanto tempo um negócio leva de aberto a ganho.",
     "", "sales_cycle"),
    ("Retention",
     "The share of customers who keep buying from one period to the next.",
     "Retenção",
     "A proporção de clientes que continuam comprando de um período para o outro.",
     "", "retention_rate"),
    ("Response time",
     "How long a new lead waits for the first contact from the team.",
     "Tempo de resposta",
     "Quanto tempo um lead novo espera pelo primeiro contato da equipe.",
     "", "lead_response_time"),
]  # fmt: skip


def fold(text):
    composed = unicodedata.normalize("NFC", " ".join(str(text).split()))
    return unicodedata.normalize("NFC", composed.casefold())


def forwards(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    GlossaryTerm = apps.get_model("strategy", "GlossaryTerm")
    for workspace in Workspace.objects.iterator():
        english = (workspace.locale or "").lower().startswith("en")
        have = set(
            GlossaryTerm.objects.filter(workspace=workspace).values_list("term_key", flat=True)
        )
        rows = []
        for en_term, en_definition, pt_term, pt_definition, stage, kpi in TERMS:
            term, definition = (en_term, en_definition) if english else (pt_term, pt_definition)
            key = fold(term)
            if key in have:
                continue
            have.add(key)
            rows.append(
                GlossaryTerm(workspace=workspace, term=term, term_key=key, definition=definition,
                             lifecycle_stage=stage, kpi_key=kpi)  # fmt: skip
            )
        GlossaryTerm.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0003_experience_policy_day_evidence_view"),
        ("workspaces", "0003_workspace_require_two_factor"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
