"""Request and response models for configuration: queues, statuses, lists, fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from api.schemas.text import PathSafe, Strict
from domain.choices import ChoiceList
from domain.desk import DEFAULT_GROUP
from domain.fields import FieldDefinition, FieldKind
from domain.queues import FollowUp, MailTemplateKind, Queue
from domain.statuses import Category, Status, StatusCatalogue
from mail.templates import check_template

T = TypeVar("T")

# Names an admin chooses: no outer spaces, so they survive URLs and comparisons.
Label = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S(?:.*\S)?$")
]
QueueName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^\S(?:.*\S)?$")
]
Labels = Annotated[list[Label], Field(max_length=100)]
# A label that later names a record in a URL path.
PathLabel = Annotated[Label, PathSafe]
Days = Annotated[int, Field(ge=0, le=3650)]


class Page(BaseModel, Generic[T]):
    """One page of a list, oldest record first."""

    items: list[T]
    total: int = Field(description="How many records the whole list has.")
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last."
    )


class Patch(Strict):
    """A partial update: fields left out keep their value."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_nulls(self) -> Self:
        for name in self.model_fields_set - self.nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep it")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields this patch sets, as a change command takes them."""
        return {
            name: tuple(value) if isinstance(value, list) else value
            for name in self.model_fields_set
            for value in [getattr(self, name)]
        }


class Record(BaseModel):
    """A configuration record: its version is its ETag and `expected_version`."""

    version: int
    created_at: datetime
    updated_at: datetime


class QueueIn(Strict):
    """A new queue."""

    name: Annotated[QueueName, PathSafe]
    group: Label = DEFAULT_GROUP
    follow_up: FollowUp = FollowUp.REOPEN
    reopen_within_days: Days | None = Field(
        None, description="Only with follow_up reopen_within_days: the window in days."
    )


class QueuePatch(Patch):
    """Change a queue; a new follow_up without reopen_within_days clears the days.
    show_solution_due lets customers see their tickets' solution due time."""

    nullable = frozenset({"reopen_within_days"})

    group: Label | None = None
    follow_up: FollowUp | None = None
    reopen_within_days: Days | None = None
    active: bool | None = None
    show_solution_due: bool | None = Field(
        None, description="Whether customers see their tickets' solution due time."
    )
    acknowledge: bool | None = Field(
        None,
        description="Whether a customer who opens a ticket here (by mail or the "
        "portal) is sent an acknowledgement by mail.",
    )
    mail_templates: dict[MailTemplateKind, str] | None = Field(
        None,
        description="Mail templates to set, by kind (reply, acknowledgement): "
        "Jinja in a sandbox; an empty one puts the default back.",
    )

    @field_validator("mail_templates")
    @classmethod
    def _parsed(
        cls, templates: dict[MailTemplateKind, str] | None
    ) -> dict[str, str] | None:
        if templates is None:
            return None
        for text in templates.values():
            check_template(text)
        return {kind.value: text for kind, text in templates.items()}

    def changes(self) -> dict[str, Any]:
        """The fields this patch sets; a policy and its days change together."""
        values = super().changes()
        if "follow_up" in self.model_fields_set:
            values["reopen_within_days"] = self.reopen_within_days
        if self.mail_templates is not None:
            values["mail_templates"] = tuple(sorted(self.mail_templates.items()))
        return values


class QueueOut(Record):
    """A queue, the group that works it and its follow-up policy."""

    name: str
    group: str
    follow_up: str
    reopen_within_days: int | None
    active: bool
    show_solution_due: bool
    acknowledge: bool
    mail_templates: dict[str, str]

    @classmethod
    def of(cls, queue: Queue) -> QueueOut:
        """The response form of a queue."""
        return cls(
            name=queue.name,
            group=queue.group,
            follow_up=queue.follow_up,
            reopen_within_days=queue.reopen_within_days,
            active=queue.active,
            show_solution_due=queue.show_solution_due,
            acknowledge=queue.acknowledges,
            mail_templates=queue.templates,
            version=queue.version,
            created_at=queue.created_on,
            updated_at=queue.modified_on,
        )


class StatusIn(Strict):
    """A new status in a category (any but merged)."""

    name: PathLabel
    category: Category
    pending_until_required: bool = False


class StatusOut(BaseModel):
    """One status of the catalogue."""

    name: str
    category: str
    pending_until_required: bool
    active: bool

    @classmethod
    def of(cls, status: Status) -> StatusOut:
        """The response form of a status."""
        return cls(
            name=status.name,
            category=status.category,
            pending_until_required=status.pending_until_required,
            active=status.active,
        )


class StatusCatalogueOut(Record):
    """Every status, active and retired, in the order they were added."""

    statuses: list[StatusOut]

    @classmethod
    def of(cls, catalogue: StatusCatalogue) -> StatusCatalogueOut:
        """The response form of the status catalogue."""
        return cls(
            statuses=[StatusOut.of(s) for s in catalogue.statuses],
            version=catalogue.version,
            created_at=catalogue.created_on,
            updated_at=catalogue.modified_on,
        )


class ChoiceListIn(Strict):
    """The whole ordered list (lowest first) and its default."""

    values: Annotated[list[PathLabel], Field(min_length=1, max_length=100)]
    default: PathLabel


class ChoiceListOut(Record):
    """An ordered list of choices (lowest first) and its default."""

    values: list[str]
    default: str

    @classmethod
    def of(cls, choices: ChoiceList) -> ChoiceListOut:
        """The response form of a priority or ticket type list."""
        return cls(
            values=list(choices.values),
            default=choices.default,
            version=choices.version,
            created_at=choices.created_on,
            updated_at=choices.modified_on,
        )


class FieldDefinitionIn(Strict):
    """A new custom field; only select fields have options."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$"), PathSafe]
    label: Annotated[str, StringConstraints(max_length=100)] = ""
    kind: FieldKind
    options: Labels = Field(default_factory=list)


class FieldDefinitionPatch(Patch):
    """Change a field's label or options, or retire it (active false)."""

    label: Annotated[str, StringConstraints(max_length=100)] | None = None
    options: Labels | None = None
    active: bool | None = None


class FieldDefinitionOut(Record):
    """A custom field definition."""

    name: str
    label: str
    kind: str
    options: list[str]
    active: bool

    @classmethod
    def of(cls, field: FieldDefinition) -> FieldDefinitionOut:
        """The response form of a field definition."""
        return cls(
            name=field.name,
            label=field.label,
            kind=field.kind,
            options=list(field.options),
            active=field.active,
            version=field.version,
            created_at=field.created_on,
            updated_at=field.modified_on,
        )
