"""Read endpoints for the client's systems: cases (with everything that hangs off them), customers,
outcomes. Read-only, keyset-paged, behind the `read` scope."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from arrears.api.deps import Read, SessionDep
from arrears.api.openapi import problems
from arrears.api.paging import MAX_LIMIT, Page, after, encode_cursor
from arrears.api.problems import ProblemError
from arrears.api.views import (
    AccountView,
    CaseDetail,
    CaseView,
    ContactPointView,
    CustomerView,
    HoldView,
    InteractionView,
    OutcomeView,
    PromiseView,
    TaskView,
    rows,
)
from arrears.store.models import (
    Account,
    Case,
    ContactPoint,
    Customer,
    Hold,
    Interaction,
    Outcome,
    Promise,
    Task,
)

router = APIRouter(prefix="/v1", tags=["read"])
ERRORS = problems(401, 403, 404, 422)
CUSTOMER_COLUMNS = [c.key for c in Customer.__table__.columns if c.key in CustomerView.model_fields]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Cursor = Annotated[str | None, Query(description="`next_cursor` from the previous page")]


def _not_found(what: str, ident: str) -> ProblemError:
    return ProblemError(404, "not-found", "Not found", f"no {what} with id {ident!r}")


@router.get("/cases", response_model=Page[CaseView], responses=ERRORS)
def list_cases(
    session: SessionDep,
    _: Read,
    status: Annotated[Literal["open", "handed_off", "placed", "closed"] | None, Query()] = None,
    customer_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CaseView]:
    """Cases in the order they opened."""
    query = select(Case)
    if status is not None:
        query = query.where(Case.status == status)
    if customer_id is not None:
        query = query.where(Case.customer_id == customer_id)
    found = list(session.scalars(after(query, Case.opened_at, Case.id, cursor, limit)))
    more = len(found) > limit
    found = found[:limit]
    return Page[CaseView](
        items=rows(CaseView, found),
        next_cursor=encode_cursor(found[-1].opened_at, found[-1].id) if more else None,
    )


@router.get("/cases/{case_id}", response_model=CaseDetail, responses=ERRORS)
def get_case(case_id: str, session: SessionDep, _: Read) -> CaseDetail:
    """One case with its promises, holds (its own and its customer's), tasks, interactions and outcomes."""
    case = session.get(Case, case_id)
    if case is None:
        raise _not_found("case", case_id)
    holds = select(Hold).where(
        (Hold.case_id == case.id) | ((Hold.customer_id == case.customer_id) & Hold.case_id.is_(None))
    )
    return CaseDetail(
        **CaseView.model_validate(case).model_dump(),
        promises=rows(
            PromiseView,
            session.scalars(
                select(Promise)
                .where(Promise.case_id == case.id)
                .order_by(Promise.created_at, Promise.due_on, Promise.id)
            ),
        ),
        holds=rows(HoldView, session.scalars(holds.order_by(Hold.created_at, Hold.id))),
        tasks=rows(
            TaskView,
            session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.created_at, Task.id)),
        ),
        interactions=rows(
            InteractionView,
            session.scalars(
                select(Interaction)
                .where(Interaction.case_id == case.id)
                .order_by(Interaction.occurred_at, Interaction.id)
            ),
        ),
        outcomes=rows(
            OutcomeView,
            session.scalars(
                select(Outcome).where(Outcome.case_id == case.id).order_by(Outcome.created_at, Outcome.id)
            ),
        ),
    )


@router.get("/customers/{customer_id}", response_model=CustomerView, responses=ERRORS)
def get_customer(customer_id: str, session: SessionDep, _: Read) -> CustomerView:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise _not_found("customer", customer_id)
    contacts = session.scalars(
        select(ContactPoint)
        .where(ContactPoint.customer_id == customer.id)
        .order_by(ContactPoint.channel, ContactPoint.created_at, ContactPoint.value)
    )
    accounts = session.scalars(
        select(Account).where(Account.customer_id == customer.id).order_by(Account.external_id)
    )
    open_cases = session.scalars(
        select(Case.id).where(Case.customer_id == customer.id, Case.status != "closed").order_by(Case.id)
    )
    return CustomerView(
        **{name: getattr(customer, name) for name in CUSTOMER_COLUMNS},
        contact_points=rows(ContactPointView, contacts),
        accounts=rows(AccountView, accounts),
        open_case_ids=list(open_cases),
    )


@router.get("/outcomes", response_model=Page[OutcomeView], responses=ERRORS)
def list_outcomes(
    session: SessionDep,
    _: Read,
    case_id: Annotated[str | None, Query(max_length=32)] = None,
    routing: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OutcomeView]:
    """Structured conversation outcomes in the order they were recorded."""
    query = select(Outcome)
    if case_id is not None:
        query = query.where(Outcome.case_id == case_id)
    if routing is not None:
        query = query.where(Outcome.routing == routing)
    found = list(session.scalars(after(query, Outcome.created_at, Outcome.id, cursor, limit)))
    more = len(found) > limit
    found = found[:limit]
    return Page[OutcomeView](
        items=rows(OutcomeView, found),
        next_cursor=encode_cursor(found[-1].created_at, found[-1].id) if more else None,
    )
