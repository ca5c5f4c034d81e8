"""Reference data for the demo generator: real Brazilian places and plausible business vocabulary.

Cities carry their state (UF), their telephone area code (DDD) and the range of postal codes (CEP)
the Correios assign to them, so a generated address and phone number agree with each other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class City:
    name: str
    state: str
    ddd: int
    cep_from: int
    cep_to: int
    districts: tuple[str, ...]
    weight: int  # roughly the metropolitan population, in hundreds of thousands


CITIES: tuple[City, ...] = (
    City(
        "São Paulo",
        "SP",
        11,
        1000000,
        5999999,
        (
            "Pinheiros",
            "Vila Mariana",
            "Moema",
            "Itaim Bibi",
            "Santana",
            "Tatuapé",
            "Lapa",
            "Liberdade",
            "Bela Vista",
            "Perdizes",
            "Vila Olímpia",
            "Brooklin",
        ),
        220,
    ),
    City(
        "Rio de Janeiro",
        "RJ",
        21,
        20000000,
        23799999,
        (
            "Copacabana",
            "Botafogo",
            "Tijuca",
            "Barra da Tijuca",
            "Centro",
            "Flamengo",
            "Ipanema",
            "Méier",
            "Leblon",
        ),
        130,
    ),
    City(
        "Belo Horizonte",
        "MG",
        31,
        30000000,
        31999999,
        ("Savassi", "Funcionários", "Pampulha", "Lourdes", "Buritis", "Santa Efigênia"),
        60,
    ),
    City(
        "Brasília",
        "DF",
        61,
        70000000,
        72799999,
        ("Asa Sul", "Asa Norte", "Lago Sul", "Sudoeste", "Águas Claras", "Taguatinga"),
        46,
    ),
    City(
        "Salvador",
        "BA",
        71,
        40000000,
        42599999,
        ("Barra", "Pituba", "Rio Vermelho", "Itaigara", "Caminho das Árvores", "Graça"),
        40,
    ),
    City(
        "Fortaleza",
        "CE",
        85,
        60000000,
        61599999,
        ("Aldeota", "Meireles", "Benfica", "Cocó", "Fátima", "Varjota"),
        40,
    ),
    City(
        "Recife",
        "PE",
        81,
        50000000,
        52999999,
        ("Boa Viagem", "Casa Forte", "Espinheiro", "Graças", "Derby", "Pina"),
        40,
    ),
    City(
        "Porto Alegre",
        "RS",
        51,
        90000000,
        91999999,
        ("Moinhos de Vento", "Cidade Baixa", "Menino Deus", "Petrópolis", "Bom Fim"),
        43,
    ),
    City(
        "Curitiba",
        "PR",
        41,
        80000000,
        82999999,
        ("Batel", "Água Verde", "Centro Cívico", "Bigorrilho", "Juvevê", "Portão"),
        36,
    ),
    City(
        "Manaus",
        "AM",
        92,
        69000000,
        69099999,
        ("Adrianópolis", "Centro", "Ponta Negra", "Flores", "Aleixo"),
        25,
    ),
    City(
        "Belém",
        "PA",
        91,
        66000000,
        66999999,
        ("Nazaré", "Umarizal", "Batista Campos", "Marco", "Reduto"),
        22,
    ),
    City(
        "Goiânia",
        "GO",
        62,
        74000000,
        74899999,
        ("Setor Bueno", "Setor Marista", "Setor Oeste", "Jardim Goiás"),
        26,
    ),
    City(
        "Campinas",
        "SP",
        19,
        13000000,
        13139999,
        ("Cambuí", "Taquaral", "Barão Geraldo", "Centro", "Guanabara"),
        32,
    ),
    City(
        "Florianópolis",
        "SC",
        48,
        88000000,
        88099999,
        ("Trindade", "Centro", "Lagoa da Conceição", "Itacorubi", "Córrego Grande"),
        12,
    ),
    City(
        "Vitória",
        "ES",
        27,
        29000000,
        29099999,
        ("Praia do Canto", "Jardim da Penha", "Centro", "Enseada do Suá"),
        19,
    ),
    City(
        "Natal",
        "RN",
        84,
        59000000,
        59139999,
        ("Ponta Negra", "Tirol", "Petrópolis", "Lagoa Nova"),
        15,
    ),
    City(
        "Ribeirão Preto",
        "SP",
        16,
        14000000,
        14114999,
        ("Jardim Irajá", "Centro", "Alto da Boa Vista", "Jardim Botânico"),
        7,
    ),
    City(
        "Joinville",
        "SC",
        47,
        89200000,
        89239999,
        ("Centro", "América", "Glória", "Atiradores"),
        6,
    ),
    City(
        "Santos",
        "SP",
        13,
        11000000,
        11099999,
        ("Gonzaga", "Boqueirão", "Ponta da Praia", "Aparecida", "Embaré"),
        18,
    ),
    City(
        "Londrina",
        "PR",
        43,
        86000000,
        86099999,
        ("Gleba Palhano", "Centro", "Higienópolis", "Jardim Bandeirantes"),
        6,
    ),
    City(
        "Uberlândia",
        "MG",
        34,
        38400000,
        38415999,
        ("Santa Mônica", "Centro", "Tabajaras", "Jardim Karaíba"),
        7,
    ),
    City(
        "João Pessoa",
        "PB",
        83,
        58000000,
        58099999,
        ("Manaíra", "Tambaú", "Cabo Branco", "Bessa"),
        12,
    ),
    City(
        "Maceió",
        "AL",
        82,
        57000000,
        57099999,
        ("Ponta Verde", "Pajuçara", "Jatiúca", "Farol"),
        12,
    ),
    City(
        "Sorocaba",
        "SP",
        15,
        18000000,
        18109999,
        ("Campolim", "Centro", "Vila Trujillo", "Jardim Vergueiro"),
        7,
    ),
)

STREET_KINDS = ("Rua", "Rua", "Rua", "Avenida", "Avenida", "Alameda", "Travessa", "Praça")

COMPLEMENTS = ("", "", "", "", "Sala 12", "Sala 304", "Apto 51", "Apto 1102", "Conj. 8", "Bloco B")

# industry → words a company in it puts after its name
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Varejo": ("Comércio", "Magazine", "Lojas", "Empório"),
    "Tecnologia": ("Tecnologia", "Sistemas", "Software", "Digital", "Tech"),
    "Saúde": ("Saúde", "Clínica", "Diagnósticos", "Odontologia"),
    "Educação": ("Educação", "Escola", "Cursos", "Idiomas"),
    "Indústria": ("Indústria", "Metalúrgica", "Plásticos", "Embalagens"),
    "Agronegócio": ("Agro", "Agropecuária", "Sementes", "Grãos"),
    "Construção civil": ("Construtora", "Engenharia", "Incorporadora"),
    "Logística": ("Logística", "Transportes", "Cargas", "Express"),
    "Serviços financeiros": ("Investimentos", "Crédito", "Seguros", "Capital"),
    "Alimentação": ("Alimentos", "Restaurantes", "Padaria", "Café", "Bebidas"),
    "Turismo e hotelaria": ("Turismo", "Hotéis", "Viagens", "Pousadas"),
    "Consultoria": ("Consultoria", "Gestão", "Assessoria"),
    "Comunicação e marketing": ("Comunicação", "Marketing", "Publicidade", "Mídia"),
    "Jurídico": ("Advogados", "Advocacia"),
    "Contabilidade": ("Contabilidade", "Contábil"),
    "Energia": ("Energia", "Solar", "Elétrica"),
    "Automotivo": ("Autopeças", "Veículos", "Motors"),
    "Imobiliário": ("Imóveis", "Imobiliária", "Empreendimentos"),
}

# Words that open a company name (besides surnames).
NAME_WORDS = (
    "Aurora",
    "Horizonte",
    "Ipê",
    "Jacarandá",
    "Araucária",
    "Cerrado",
    "Atlântico",
    "Pampa",
    "Serra Azul",
    "Boa Vista",
    "Sol Nascente",
    "Estrela",
    "Nova Era",
    "Vale Verde",
    "Maré",
    "Brisa",
    "Carnaúba",
    "Jequitibá",
    "Guaraná",
    "Tupã",
    "Mantiqueira",
    "Itapuã",
    "Cruzeiro",
    "Paineira",
    "Pau-Brasil",
    "Caju",
    "Buriti",
    "Andorinha",
    "Bem-te-vi",
    "Sabiá",
    "Lume",
    "Vértice",
    "Prisma",
    "Ágil",
    "Alvorada",
    "Primavera",
    "Central",
    "Nacional",
    "Paulista",
    "Mineira",
    "Gaúcha",
    "Carioca",
    "Baiana",
    "Potiguar",
    "Capixaba",
)

LEGAL_SUFFIXES = ("Ltda.", "Ltda.", "Ltda.", "S.A.", "ME", "EPP")

PERSONAL_EMAIL_DOMAINS = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "yahoo.com.br",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
    "icloud.com",
)

# (male, female) forms
JOB_TITLES: tuple[tuple[str, str], ...] = (
    ("Diretor Comercial", "Diretora Comercial"),
    ("Gerente de Compras", "Gerente de Compras"),
    ("Analista de Marketing", "Analista de Marketing"),
    ("CEO", "CEO"),
    ("Sócio-fundador", "Sócia-fundadora"),
    ("Coordenador de TI", "Coordenadora de TI"),
    ("Gerente Financeiro", "Gerente Financeira"),
    ("Head de Vendas", "Head de Vendas"),
    ("Analista de Compras", "Analista de Compras"),
    ("Supervisor de Operações", "Supervisora de Operações"),
    ("Diretor de RH", "Diretora de RH"),
    ("CFO", "CFO"),
    ("Assistente Administrativo", "Assistente Administrativa"),
    ("Gerente de Marketing", "Gerente de Marketing"),
    ("Consultor", "Consultora"),
    ("Engenheiro de Produção", "Engenheira de Produção"),
    ("Coordenador de Projetos", "Coordenadora de Projetos"),
    ("Proprietário", "Proprietária"),
)

INTERESTS = (
    "automação de marketing",
    "integração com ERP",
    "relatórios de vendas",
    "atendimento por WhatsApp",
    "gestão de equipes",
    "redução de custos",
    "expansão para novas praças",
    "treinamento da equipe",
    "fidelização de clientes",
    "e-commerce",
    "nota fiscal eletrônica",
    "financiamento",
    "sustentabilidade",
    "segurança da informação",
)

TAGS = (
    "vip",
    "indicação",
    "evento",
    "inbound",
    "outbound",
    "parceiro",
    "newsletter",
    "webinar",
    "feira",
    "cliente recorrente",
)

SOURCES = (
    ("site", 26),
    ("indicação", 16),
    ("google ads", 12),
    ("linkedin", 10),
    ("instagram", 8),
    ("evento", 8),
    ("prospecção ativa", 10),
    ("parceiro", 6),
    ("importação", 4),
)

# A realistic funnel: many subscribers and leads, few advocates.
LIFECYCLE_FUNNEL = (
    ("subscriber", 28),
    ("lead", 26),
    ("mql", 14),
    ("sql", 10),
    ("opportunity", 8),
    ("customer", 12),
    ("advocate", 2),
)

CHANNELS = (
    ("email", 40),
    ("whatsapp", 35),
    ("phone", 14),
    ("in_person", 5),
    ("sms", 3),
    ("mail", 3),
)


@dataclass(frozen=True)
class CatalogueItem:
    name: str
    sku: str
    unit_price: Decimal


PRODUCTS: tuple[CatalogueItem, ...] = (
    CatalogueItem("Plano Essencial (12 meses)", "PLN-ESS-12", Decimal("4800.00")),
    CatalogueItem("Plano Profissional (12 meses)", "PLN-PRO-12", Decimal("12000.00")),
    CatalogueItem("Plano Enterprise (12 meses)", "PLN-ENT-12", Decimal("36000.00")),
    CatalogueItem("Usuário adicional (12 meses)", "USR-ADD-12", Decimal("600.00")),
    CatalogueItem("Implantação", "SRV-IMPL", Decimal("3500.00")),
    CatalogueItem("Treinamento in company (8 h)", "SRV-TRN-8H", Decimal("2400.00")),
    CatalogueItem("Consultoria (hora)", "SRV-CONS-H", Decimal("280.00")),
    CatalogueItem("Integração com ERP", "SRV-ERP", Decimal("6000.00")),
    CatalogueItem("Suporte Premium (12 meses)", "SUP-PRM-12", Decimal("5400.00")),
    CatalogueItem("Módulo de WhatsApp (12 meses)", "MOD-WPP-12", Decimal("1800.00")),
)

# pipeline name → open stages (name, probability %, rotting days); each also gets won/lost stages
PIPELINES: dict[str, tuple[tuple[str, int, int], ...]] = {
    "Renovações": (
        ("Renovação em 90 dias", 60, 30),
        ("Proposta de renovação", 75, 21),
        ("Negociação", 85, 14),
    ),
    "Parcerias": (
        ("Primeiro contato", 10, 30),
        ("Alinhamento", 35, 30),
        ("Contrato em análise", 70, 21),
    ),
}

# (lost reason code, the salesperson's note)
LOST_REASONS = (
    ("price", "Preço acima do orçamento"),
    ("competitor", "Escolheu um concorrente"),
    ("no_budget", "Sem orçamento neste ano"),
    ("timing", "Projeto adiado"),
    ("timing", "Sem resposta do cliente"),
    ("no_fit", "Fora do perfil de cliente"),
    ("other", "Faltou uma funcionalidade"),
)


def lost_fields(rng: random.Random, reasons: tuple[tuple[str, int], ...]) -> dict[str, Any]:
    """A demo deal's ``lost_reason_id`` (a reason of its pipeline) and ``lost_note``."""
    code, note = rng.choice(LOST_REASONS)
    ids = dict(reasons)
    return {"lost_reason_id": ids.get(code, ids.get("other")), "lost_note": note}


DEAL_TITLES = (
    "{product} para {company}",
    "Expansão {company}",
    "Projeto {company}",
    "{company}: {product}",
)

CALL_SUBJECTS = (
    "Ligação de prospecção",
    "Follow-up da proposta",
    "Ligação de qualificação",
    "Retorno sobre orçamento",
    "Pós-venda",
    "Confirmação de reunião",
)
MEETING_SUBJECTS = (
    "Reunião de apresentação",
    "Demonstração do produto",
    "Reunião de diagnóstico",
    "Alinhamento de implantação",
    "Revisão trimestral",
    "Café com o cliente",
)
EMAIL_SUBJECTS = (
    "Proposta comercial",
    "Material de apresentação",
    "Convite para webinar",
    "Resumo da reunião",
    "Contrato para assinatura",
    "Boas-vindas",
)
NOTE_SUBJECTS = (
    "Anotação",
    "Contexto do cliente",
    "Decisores mapeados",
    "Objeções levantadas",
    "Feedback do cliente",
)
TASK_SUBJECTS = (
    "Enviar proposta revisada",
    "Ligar para confirmar reunião",
    "Preparar demonstração",
    "Cobrar retorno do orçamento",
    "Atualizar cadastro",
    "Enviar contrato",
    "Agendar visita",
    "Responder dúvida técnica",
)
BODIES = (
    "Cliente demonstrou interesse no plano profissional; pediu referências de clientes do setor.",
    "Conversamos sobre prazos de implantação. Decisão prevista para o fim do mês.",
    "Pediu desconto para pagamento à vista; ficou de consultar o financeiro.",
    "Dúvidas sobre integração com o ERP atual. Vamos envolver o time técnico.",
    "Reclamou do tempo de resposta do suporte na última semana; registrado e encaminhado.",
    "Muito satisfeito com o atendimento; aceitou indicar dois contatos.",
    "Orçamento aprovado parcialmente; seguimos com a primeira fase.",
    "Sem retorno por e-mail; tentar WhatsApp na próxima semana.",
    "Mapeamos os decisores: diretoria comercial e financeiro.",
    "Apresentamos o roadmap; interesse no módulo de WhatsApp.",
)

# Streets named after people and dates every Brazilian town has (a third of the demo streets).
FAMOUS_STREETS = (
    "XV de Novembro",
    "Sete de Setembro",
    "Tiradentes",
    "Dom Pedro II",
    "Rio Branco",
    "Barão do Rio Branco",
    "Marechal Deodoro",
    "Santos Dumont",
    "Getúlio Vargas",
    "das Flores",
    "Brasil",
    "Independência",
    "Presidente Vargas",
    "Floriano Peixoto",
    "Duque de Caxias",
    "José Bonifácio",
)


def cumulative(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    """The values and their running total weights (for ``random.choices(cum_weights=…)``)."""
    values, weights = zip(*pairs, strict=True)
    cumulative, total = [], 0
    for w in weights:
        total += w
        cumulative.append(total)
    return list(values), cumulative
