"""What a CRM is told, vendor-neutral: the words of a note and a task, and a case's figures as a CRM
stores them. HubSpot and Salesforce each map these onto their own objects and fields."""

from arrears.providers.crm.content import (
    ACTIVITY_KINDS,
    FIGURE_KINDS,
    Figures,
    TaskText,
    figures,
    outcome_note,
    task_text,
)

__all__ = ["ACTIVITY_KINDS", "FIGURE_KINDS", "Figures", "TaskText", "figures", "outcome_note", "task_text"]
