"""What each KPI counts and divides by: the one place the definitions live (docs/metrics.md explains them).

The report prints these beside the numbers, so a manager never has to guess a denominator.
"""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "cases": "cases open at some moment of the period [since, until)",
    "attempted": "cases with at least one outbound message or call that left in the period",
    "contact_rate": "attempted cases where the customer wrote, answered or held a conversation in the period "
    "/ cases attempted",
    "right_party_contact_rate": "attempted cases with an outcome in the period where the agent verified it "
    "spoke with the customer (unknown counts as not verified) / cases attempted",
    "promise_to_pay_rate": "contacted cases with a promise to pay made in the period / cases contacted",
    "kept_rate": "promises resolved kept in the period / promises resolved kept or broken in the period "
    "(each instalment of a payment plan counts as one promise; cancelled and pending ones count for neither)",
    "dispute_escalation_rate": "contacted cases with a dispute hold placed in the period / cases contacted",
    "manual_escalation_rate": "cases with a task for a person opened in the period (operational tasks, such "
    "as a send whose fate is unknown, excluded) / cases; every case, reached or not, since a ladder hands "
    "silent cases to people too",
    "settled": "cases closed as settled in the period",
    "recovered": "payments received in the period on the case's account while the case was open, "
    "per currency, never converted",
    "mean_days_overdue": "days past due of the oldest invoice still unpaid at the instant (0 when nothing is "
    "overdue), averaged over every case, at the period's start (before) and end (after)",
    "days_overdue_improvement": "for cases overdue at the start: days overdue at the start + days elapsed "
    "(what doing nothing gives) minus days overdue at the end, averaged",
    "dso": "overdue receivables at the instant / amount invoiced on the same accounts in the window of days "
    "ending at the instant x the window's days, per currency (omitted where nothing was invoiced)",
    "by_channel": "a case counts in every channel it was attempted on, with the contact and right-party "
    "contact made on that channel: channel rows do not add up to the total",
    "receivables_at_an_instant": "rebuilt from today's invoice balances plus the payments received since the "
    "instant, taken back from the newest invoices first (payments are allocated oldest first); exact when "
    "balances change only through recorded payments",
}
