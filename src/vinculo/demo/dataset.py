"""A realistic, deterministic pt-BR data set: :class:`DemoDataset` only *produces rows* (plain
dicts in the shape the bulk services take); it never touches the database, so the same seed
yields the same rows. :mod:`vinculo.demo.generator` feeds them to the services."""

from __future__ import annotations

import functools
import random
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker
from faker.providers.person.pt_BR import Provider as PersonNames

from vinculo.demo import reference as ref
from vinculo.demo.documents import cnpj_from_base, cpf_from_base
from vinculo.demo.indexes import DealIndex, PeopleIndex

DAY = 86400.0
MONTH = 30.44 * DAY
HISTORY_MONTHS = 18
BATCH_SIZE = 5000
DEFAULT_PIPELINE_NAME = "Vendas B2B"


@dataclass(frozen=True)
class StageRef:
    id: int
    kind: str  # open | won | lost


@dataclass(frozen=True)
class PipelineRef:
    id: int
    name: str
    open_stages: tuple[int, ...]
    won_stage: int | None
    lost_stage: int | None
    lost_reasons: tuple[tuple[str, int], ...] = ()  # (code, id) of the pipeline's reasons


@functools.lru_cache(maxsize=4096)
def _ascii(text: str) -> str:
    normal = unicodedata.normalize("NFKD", text)
    return "".join(c for c in normal if c.isascii() and (c.isalnum() or c in " -")).lower()


class DemoDataset:
    """Row factories for one seed. Each method draws from its own random stream, so adding
    people does not change the companies, and rows depend only on (seed, now, members)."""

    def __init__(
        self,
        *,
        seed: int,
        now: datetime,
        time_zone: str = "America/Sao_Paulo",
        owner_ids: list[int],
        demo_owner_id: int,
        tasks_can_be_done: bool = True,
    ) -> None:
        if not owner_ids:
            raise ValueError("the workspace needs at least one member to own records")
        self.seed = seed
        self.now = now
        self.now_ts = now.timestamp()
        self.zone = ZoneInfo(time_zone)
        self.owner_ids = list(owner_ids)
        self.demo_owner_id = demo_owner_id
        # whether task rows may carry ``completed_at`` (historical, finished tasks)
        self.tasks_can_be_done = tasks_can_be_done
        faker = Faker("pt_BR")
        faker.seed_instance(seed)
        pool = random.Random(f"{seed}:pools")  # noqa: S311 - demo data, not secrets
        self.first_male = list(PersonNames.first_names_male)
        self.first_female = list(PersonNames.first_names_female)
        self.surnames = list(PersonNames.last_names)
        self.streets = []
        for i in range(600):
            kind = pool.choice(ref.STREET_KINDS)
            if i % 3 == 0:
                self.streets.append(
                    f"{kind} {ref.FAMOUS_STREETS[(i // 3) % len(ref.FAMOUS_STREETS)]}"
                )
            else:
                name = faker.name()
                for title in ("Dr. ", "Dra. ", "Sr. ", "Sra. ", "Srta. "):
                    name = name.replace(title, "")
                self.streets.append(f"{kind} {name}")
        self.city_weights = []
        total = 0
        for city in ref.CITIES:
            total += city.weight
            self.city_weights.append(total)
        self.stage_keys, self.stage_cum = ref.cumulative(ref.LIFECYCLE_FUNNEL)
        self.source_keys, self.source_cum = ref.cumulative(ref.SOURCES)
        self.channel_keys, self.channel_cum = ref.cumulative(ref.CHANNELS)
        # Owners: the demo owner carries a real book of business; the rest is spread.
        self.owner_cycle = [demo_owner_id] * 3 + [o for o in self.owner_ids if o != demo_owner_id]

    # --- helpers -----------------------------------------------------------------------------

    def _rng(self, stream: str) -> random.Random:
        return random.Random(f"{self.seed}:{stream}")  # noqa: S311 - demo data, not secrets

    def _dt(self, ts: float) -> datetime:
        return datetime.fromtimestamp(min(ts, self.now_ts), tz=UTC)

    def _address(self, rng: random.Random) -> tuple[dict[str, str], int]:
        """An address in a real city, and the city's DDD (area code) for phone numbers."""
        city = rng.choices(ref.CITIES, cum_weights=self.city_weights)[0]
        cep = rng.randint(city.cep_from, city.cep_to)
        return {
            "street": rng.choice(self.streets),
            "number": str(rng.randint(1, 4200)),
            "complement": rng.choice(ref.COMPLEMENTS),
            "district": rng.choice(city.districts),
            "city": city.name,
            "state": city.state,
            "postal_code": f"{cep:08d}"[:5] + "-" + f"{cep:08d}"[5:],
            "country": "BR",
        }, city.ddd

    @staticmethod
    def mobile(rng: random.Random, ddd: int) -> str:
        """A Brazilian mobile number in E.164: +55, DDD, then 9 and eight digits."""
        return f"+55{ddd}9{rng.randint(6, 9)}{rng.randint(0, 9_999_999):07d}"

    @staticmethod
    def landline(rng: random.Random, ddd: int) -> str:
        return f"+55{ddd}{rng.randint(2, 3)}{rng.randint(0, 9_999_999):07d}"

    def _created_ts(self, rng: random.Random, months: float) -> float:
        """A creation moment over the last ``months``, more recent ones more likely."""
        return self.now_ts - months * MONTH * (rng.random() ** 1.5) - rng.random() * 3600

    # --- companies ---------------------------------------------------------------------------

    def companies(self, count: int, batch_size: int = BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
        """Companies with valid CNPJs, real cities, industries; in batches."""
        rng = self._rng("companies")
        industries = list(ref.INDUSTRIES)
        used_bases: set[int] = set()
        used_domains: set[str] = set()
        batch: list[dict[str, Any]] = []
        for i in range(count):
            industry = rng.choice(industries)
            opener = (
                rng.choice(ref.NAME_WORDS) if rng.random() < 0.55 else rng.choice(self.surnames)
            )
            name = f"{opener} {rng.choice(ref.INDUSTRIES[industry])}"
            address, ddd = self._address(rng)
            slug = _ascii(name).replace(" ", "").replace("-", "")
            domain = f"{slug}.com.br"
            if domain in used_domains:
                city_slug = _ascii(address["city"]).replace(" ", "")
                domain = f"{slug}{city_slug}.com.br"
                name = f"{name} {address['city']}"
                n = 2
                while domain in used_domains:
                    domain = f"{slug}{city_slug}{n}.com.br"
                    n += 1
            used_domains.add(domain)
            base = rng.randint(1_000_000, 99_999_999)
            while base in used_bases:
                base = rng.randint(1_000_000, 99_999_999)
            used_bases.add(base)
            size = rng.choices((5, 20, 80, 300, 1500), weights=(30, 30, 22, 12, 6))[0]
            employees = max(1, int(size * (0.5 + rng.random())))
            revenue = Decimal(employees * rng.randint(90_000, 400_000)).quantize(Decimal("1000"))
            stage = rng.choices(self.stage_keys, cum_weights=self.stage_cum)[0]
            tags = rng.sample(ref.TAGS, k=rng.choice((0, 0, 1, 1, 2)))
            batch.append(
                {
                    "name": name,
                    "legal_name": f"{name} {rng.choice(ref.LEGAL_SUFFIXES)}",
                    "cnpj": cnpj_from_base(base),
                    "domain": domain,
                    "website": f"https://www.{domain}",
                    "industry": industry,
                    "employees": employees,
                    "annual_revenue": revenue,
                    "email": f"contato@{domain}",
                    "phone": self.landline(rng, ddd),
                    "description": f"{industry} em {address['city']}/{address['state']}.",
                    "owner_id": self.owner_cycle[i % len(self.owner_cycle)],
                    "source": rng.choices(self.source_keys, cum_weights=self.source_cum)[0],
                    "lifecycle_stage": stage,
                    "tags": tags,
                    "created_at": self._dt(self._created_ts(rng, 30)),
                    **address,
                }
            )
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    # --- people ------------------------------------------------------------------------------

    def people(
        self,
        count: int,
        company_ids: array,
        company_domains: list[str],
        batch_size: int = BATCH_SIZE,
    ) -> Iterator[list[dict[str, Any]]]:
        """People with valid CPFs and +55 mobiles, emails from their names, funnel stages.

        About 60 % work at one of the companies (index-aligned ``company_ids`` and
        ``company_domains``), some at two; their email is at the company's domain.
        """
        rng = self._rng("people")
        used_cpf: set[int] = set()
        used_email: set[str] = set()
        batch: list[dict[str, Any]] = []
        n_companies = len(company_ids)
        for i in range(count):
            female = rng.random() < 0.5
            first = rng.choice(self.first_female if female else self.first_male)
            surnames = rng.sample(self.surnames, k=2 if rng.random() < 0.6 else 1)
            last = " ".join(surnames)
            address, ddd = self._address(rng)
            base = rng.randint(1_000_000, 999_999_998)
            while base in used_cpf:
                base = rng.randint(1_000_000, 999_999_998)
            used_cpf.add(base)
            affiliations: list[dict[str, Any]] = []
            title = ""
            domain = ""
            if n_companies and rng.random() < 0.6:
                c = rng.randrange(n_companies)
                title = rng.choice(ref.JOB_TITLES)[1 if female else 0]
                affiliations.append(
                    {"company_id": int(company_ids[c]), "role": title, "is_primary": True}
                )
                domain = company_domains[c]
                if rng.random() < 0.1 and n_companies > 1:
                    other = rng.randrange(n_companies)
                    if other != c:
                        affiliations.append(
                            {"company_id": int(company_ids[other]), "role": "Conselheiro(a)"}
                        )
            local = f"{_ascii(first).split()[0]}.{_ascii(surnames[-1]).replace(' ', '')}"
            domain = domain or rng.choice(ref.PERSONAL_EMAIL_DOMAINS)
            email = f"{local}@{domain}"
            n = 2
            while email in used_email:
                email = f"{local}{n}@{domain}"
                n += 1
            used_email.add(email)
            stage = rng.choices(self.stage_keys, cum_weights=self.stage_cum)[0]
            tags = rng.sample(ref.TAGS, k=rng.choice((0, 0, 0, 1, 1, 2)))
            if stage in {"customer", "advocate"} and rng.random() < 0.3 and "vip" not in tags:
                tags.append("vip")
            created = self._dt(self._created_ts(rng, 30))
            birth = date(1958, 1, 1) + timedelta(days=rng.randint(0, 45 * 365))
            row = {
                "first_name": first,
                "last_name": last,
                "email": email,
                "mobile_phone": self.mobile(rng, ddd),
                "cpf": cpf_from_base(base),
                "job_title": title,
                "birth_date": birth,
                "gender": "Feminino" if female else "Masculino",
                "preferred_channel": rng.choices(self.channel_keys, cum_weights=self.channel_cum)[
                    0
                ],
                "interests": "; ".join(rng.sample(ref.INTERESTS, k=rng.randint(0, 3))),
                "owner_id": self.owner_cycle[i % len(self.owner_cycle)],
                "source": rng.choices(self.source_keys, cum_weights=self.source_cum)[0],
                "lifecycle_stage": stage,
                "tags": tags,
                "companies": affiliations,
                "created_at": created,
                **address,
            }
            if affiliations and rng.random() < 0.5:
                row["phone"] = self.landline(rng, ddd)
            if rng.random() < 0.35:
                row["consents"] = [
                    {
                        "channel": "email",
                        "status": "opted_in" if rng.random() < 0.85 else "opted_out",
                        "legal_basis": "consent",
                        "method": "web_form",
                        "evidence": "Formulário do site",
                        "changed_at": created,
                    }
                ]
            batch.append(row)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    # --- deals -------------------------------------------------------------------------------

    def deals(
        self,
        count: int,
        pipelines: list[PipelineRef],
        people: PeopleIndex,
        products: list[tuple[int, ref.CatalogueItem]],
        batch_size: int = BATCH_SIZE,
    ) -> Iterator[list[dict[str, Any]]]:
        """Deals in every stage of every pipeline: open ones recent, won and lost ones closed
        over the last 18 months, each with its dated stage history and line items."""
        rng = self._rng("deals")
        if not pipelines or not len(people):
            return
        weights = [70, 20, 10][: len(pipelines)] + [10] * max(0, len(pipelines) - 3)
        # The first deals cover every (pipeline, stage, outcome) at least once.
        coverage: list[tuple[int, str, int]] = []
        for p_index, each in enumerate(pipelines):
            for s_index in range(len(each.open_stages)):
                coverage.append((p_index, "open", s_index))
            if each.won_stage:
                coverage.append((p_index, "won", len(each.open_stages) - 1))
            if each.lost_stage:
                coverage.append((p_index, "lost", 0))
        warm = people.warm_indexes()
        batch: list[dict[str, Any]] = []
        horizon = self.now_ts - HISTORY_MONTHS * MONTH
        for i in range(count):
            if i < len(coverage):
                p_index, outcome, reach = coverage[i]
            else:
                p_index = rng.choices(range(len(pipelines)), weights=weights)[0]
                outcome = rng.choices(("open", "won", "lost"), weights=(35, 32, 33))[0]
                reach = rng.randrange(len(pipelines[p_index].open_stages))
            pipeline = pipelines[p_index]
            if outcome == "won" and pipeline.won_stage is None:
                outcome = "open"
            if outcome == "lost" and pipeline.lost_stage is None:
                outcome = "open"
            if outcome == "won":
                path = [*pipeline.open_stages, pipeline.won_stage]
            elif outcome == "lost":
                path = [*pipeline.open_stages[: reach + 1], pipeline.lost_stage]
            else:
                path = list(pipeline.open_stages[: reach + 1])
            p = rng.choice(warm) if warm else rng.randrange(len(people))
            person_id = int(people.ids[p])
            company_id = int(people.companies[p]) or None
            start_floor = people.created[p]
            steps = [rng.uniform(1, 21) * DAY for _ in path[1:]]
            span = sum(steps)
            if outcome == "open":
                end = self.now_ts - rng.uniform(0.05, 45) * DAY
            else:
                end = rng.uniform(max(horizon, start_floor + span), self.now_ts - 0.5 * DAY)
            start = end - span
            if start < start_floor:  # squeeze the history between the person's arrival and now
                start = min(start_floor + 3600, self.now_ts - 7200)
                scale = max(0.0, (end - start) / span) if span else 0.0
                steps = [s * scale for s in steps]
            at = start
            history = [{"stage_id": path[0], "at": self._dt(at)}]
            for stage_id, step in zip(path[1:], steps, strict=True):
                at += step
                history.append({"stage_id": stage_id, "at": self._dt(at)})
            items: list[dict[str, Any]] = []
            for product_id, product in rng.sample(
                products, k=min(len(products), rng.choice((1, 1, 2, 2, 3)))
            ):
                if product.sku.startswith("USR"):
                    quantity = Decimal(rng.randint(2, 40))
                elif product.sku == "SRV-CONS-H":
                    quantity = Decimal(rng.choice((8, 16, 24, 40, 80)))
                else:
                    quantity = Decimal(1)
                items.append(
                    {
                        "product_id": product_id,
                        "name": product.name,
                        "quantity": quantity,
                        "unit_price": product.unit_price,
                        "discount_percent": Decimal(rng.choice((0, 0, 0, 5, 10, 15))),
                    }
                )
            amount = sum(
                (
                    (it["quantity"] * it["unit_price"] * (100 - it["discount_percent"]) / 100)
                    for it in items
                ),
                Decimal(0),
            ).quantize(Decimal("0.01"))
            closing = self._dt(at)
            if outcome == "open":
                expected = (self.now + timedelta(days=rng.randint(3, 90))).astimezone(self.zone)
            else:
                expected = closing.astimezone(self.zone)
            title_company = people.company_names.get(company_id or 0) or people.names[p]
            product_name = items[0]["name"].split(" (")[0] if items else "Projeto"
            row = {
                "title": rng.choice(ref.DEAL_TITLES).format(
                    product=product_name, company=title_company
                )[:200],
                "pipeline_id": pipeline.id,
                "stage_id": path[-1],
                "amount": amount,
                "currency": "BRL",
                "expected_close_date": expected.date(),
                "owner_id": int(people.owners[p]),
                "person_id": person_id,
                "company_id": company_id,
                **(ref.lost_fields(rng, pipeline.lost_reasons) if outcome == "lost" else {}),
                "source": rng.choices(self.source_keys, cum_weights=self.source_cum)[0],
                "tags": ["renovação"] if pipeline.name == "Renovações" else [],
                "line_items": items,
                "created_at": history[0]["at"],
                "stage_history": history,
            }
            batch.append(row)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    # --- activities --------------------------------------------------------------------------

    def _interaction(self, rng: random.Random, at: float, **links: Any) -> dict[str, Any]:
        kind = rng.choices(("call", "email", "meeting", "note"), weights=(38, 30, 14, 18))[0]
        row: dict[str, Any] = {
            "kind": kind,
            "occurred_at": self._dt(at),
            "body": rng.choice(ref.BODIES),
            **links,
        }
        if kind == "call":
            outcome = rng.choices(
                ("connected", "no_answer", "voicemail", "busy", "wrong_number"),
                weights=(60, 20, 10, 7, 3),
            )[0]
            row.update(
                subject=rng.choice(ref.CALL_SUBJECTS),
                direction="outbound" if rng.random() < 0.75 else "inbound",
                call_outcome=outcome,
                duration_seconds=rng.randint(90, 1800) if outcome == "connected" else 0,
            )
        elif kind == "meeting":
            row.update(
                subject=rng.choice(ref.MEETING_SUBJECTS),
                duration_seconds=rng.choice((1800, 2700, 3600, 5400)),
            )
        elif kind == "email":
            row.update(
                subject=rng.choice(ref.EMAIL_SUBJECTS),
                direction="outbound" if rng.random() < 0.65 else "inbound",
            )
        else:
            row["subject"] = rng.choice(ref.NOTE_SUBJECTS)
        return row

    def _task(
        self, rng: random.Random, due_ts: float, assignee_id: int, done: bool, **links: Any
    ) -> dict[str, Any]:
        due = self._dt_any(due_ts)
        row: dict[str, Any] = {
            "kind": "task",
            "subject": rng.choice(ref.TASK_SUBJECTS),
            "body": "",
            "assignee_id": assignee_id,
            "due_at": due,
            "priority": rng.choices(("low", "normal", "high", "urgent"), weights=(15, 55, 22, 8))[
                0
            ],
            "occurred_at": self._dt(min(due_ts, self.now_ts) - rng.uniform(1, 10) * DAY),
            **links,
        }
        if done:
            row["completed_at"] = self._dt(min(due_ts + rng.uniform(-2, 1) * DAY, self.now_ts))
        return row

    @staticmethod
    def _dt_any(ts: float) -> datetime:
        return datetime.fromtimestamp(ts, tz=UTC)

    def activities(
        self,
        count: int,
        people: PeopleIndex,
        deals: DealIndex,
        batch_size: int = BATCH_SIZE,
        task_share: float = 0.05,
    ) -> Iterator[list[dict[str, Any]]]:
        """Calls, emails, meetings and notes over 18 months (a third of them on deals), and
        tasks (done, open, overdue, due today) — about ``count`` rows in all."""
        rng = self._rng("activities")
        horizon = self.now_ts - HISTORY_MONTHS * MONTH
        batch: list[dict[str, Any]] = []
        made = 0
        n_people = len(people)
        on_deals = int(count * 0.33) if len(deals) else 0
        # 1. activities on deals, inside each deal's life
        d = 0
        while made < on_deals:
            k = d % len(deals)
            start, end = deals.start[k], deals.end[k]
            links = {
                "person_id": int(deals.people[k]) or None,
                "company_id": int(deals.companies[k]) or None,
                "deal_id": int(deals.ids[k]),
            }
            at = rng.uniform(start, max(start, end))
            batch.append(self._interaction(rng, at, **links))
            made += 1
            d += 1
            if len(batch) >= batch_size:
                yield batch
                batch = []
        # 2. activities and tasks on people
        while made < count and n_people:
            p = rng.randrange(n_people)
            floor = max(people.created[p], horizon)
            links = {
                "person_id": int(people.ids[p]),
                "company_id": int(people.companies[p]) or None,
            }
            owner = int(people.owners[p])
            if rng.random() < task_share:
                if self.tasks_can_be_done:
                    due = rng.uniform(floor, self.now_ts + 21 * DAY)
                    done = due < self.now_ts - 3 * DAY and rng.random() < 0.9
                else:  # without a completion date, old tasks would all look overdue
                    due = rng.uniform(self.now_ts - 7 * DAY, self.now_ts + 30 * DAY)
                    done = False
                batch.append(self._task(rng, due, owner, done, **links))
            else:
                at = rng.uniform(floor, self.now_ts)
                batch.append(self._interaction(rng, at, **links))
            made += 1
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def owner_agenda(self, people: PeopleIndex) -> list[dict[str, Any]]:
        """The demo owner's to-do list: tasks due today (workspace time zone), overdue ones and
        the coming week's, on people they own."""
        rng = self._rng("agenda")
        mine = [i for i in range(len(people)) if int(people.owners[i]) == self.demo_owner_id]
        if not mine:
            mine = list(range(len(people)))
        if not mine:
            return []
        local_now = self.now.astimezone(self.zone)
        day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        rows = []
        plan = [("today", h) for h in (9, 10, 11, 14, 16, 17)]
        plan += [("overdue", d) for d in (1, 2, 3, 6, 10)]
        plan += [("soon", d) for d in (1, 2, 3, 5, 7)]
        for when, n in plan:
            p = rng.choice(mine)
            if when == "today":
                due = day_start.replace(hour=n, minute=rng.choice((0, 15, 30, 45)))
            elif when == "overdue":
                due = (day_start - timedelta(days=n)).replace(hour=rng.randint(9, 17))
            else:
                due = (day_start + timedelta(days=n)).replace(hour=rng.randint(9, 17))
            links = {
                "person_id": int(people.ids[p]),
                "company_id": int(people.companies[p]) or None,
            }
            row = self._task(rng, due.timestamp(), self.demo_owner_id, False, **links)
            row["due_at"] = due.astimezone(UTC)
            row["priority"] = "high" if when != "soon" else "normal"
            rows.append(row)
        return rows

    def busy_history(self, person_id: int, count: int) -> list[dict[str, Any]]:
        """``count`` interactions with one key account over 18 months (a long timeline)."""
        rng = self._rng("busy")
        horizon = self.now_ts - HISTORY_MONTHS * MONTH
        rows = []
        for i in range(count):
            at = horizon + (self.now_ts - horizon) * (i + rng.random()) / max(count, 1)
            rows.append(self._interaction(rng, at, person_id=person_id))
        return rows
